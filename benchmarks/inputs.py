"""Deterministic benchmark inputs: an AG-UI-like state of about 2.2 MB (10,000 items of nested objects,
strings, numbers and small arrays, plus a 500-entry message array), and larger ones of the same shape."""
import json


def state(items: int = 10_000, messages: int = 500) -> dict:
    return {
        "items": {
            f"item{i}": {
                "id": i,
                "name": f"Item number {i}",
                "description": f"About item {i}: some text.",
                "price": round(i % 1000 + (i % 100) / 100, 2),
                "tags": [f"t{i % 7}", f"t{i % 13}", "shared"],
                "meta": {"active": i % 3 != 0, "score": i * 7 % 101, "owner": {"name": f"user{i % 50}", "role": "editor"}},
            }
            for i in range(items)
        },
        "messages": [
            {"id": f"msg-{m}", "role": "assistant" if m % 2 else "user",
             "content": f"Message {m} of the conversation, with some text."}
            for m in range(messages)
        ],
    }


def state_bytes(items: int = 10_000) -> bytes:
    return json.dumps(state(items), separators=(",", ":")).encode()


if __name__ == "__main__":
    print(len(state_bytes()))
