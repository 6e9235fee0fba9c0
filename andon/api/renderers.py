from ninja.renderers import JSONRenderer


class ReadableJSONRenderer(JSONRenderer):
    # Chinese stays Chinese in the answers: "看见", not "\u770b\u89c1".
    json_dumps_params = {"ensure_ascii": False}
