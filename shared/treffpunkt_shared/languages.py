"""The languages of the pages and answers, German first and English too, and how a request picks one."""

LANGUAGES = ("de", "en")


def supported(lang: str | None) -> str:
    """`lang` if we speak it, else German."""
    return lang if lang in LANGUAGES else "de"


def accepted_language(header: str | None) -> str:
    """The language an `Accept-Language` header prefers among ours (`en-GB;q=0.9, de;q=0.8`), else German."""
    preferences = []
    for position, item in enumerate((header or "").split(",")):
        tag, _, parameters = item.strip().partition(";")
        weight = 1.0
        if parameters.strip().startswith("q="):
            try:
                weight = float(parameters.strip()[2:])
            except ValueError:
                continue
        language = tag.strip().split("-")[0].lower()
        if language in LANGUAGES and weight > 0:
            preferences.append((-weight, position, language))
    return min(preferences)[2] if preferences else "de"
