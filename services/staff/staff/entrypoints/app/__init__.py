"""The staff app\x27s pages, one module per area; `routers.ROUTERS` lists them."""
