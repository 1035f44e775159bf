"""One function per event handled or job done, taking its dependencies as arguments."""
