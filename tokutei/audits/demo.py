def load() -> list[str]:
    return []
