"""The XSS corpus and the server-side check that a page carries none of it live.

Every payload carries the marker ``__xss``: if a payload escaped its text
node, the marker ends up where the browser would run or load it — a tag or
attribute name, an event handler, a URL attribute, a script or style body —
and ``find_live_markup`` reports it. ``rendered_text`` is what a reader
sees (text nodes and harmless attribute values, unescaped), so a test can
also prove that the payload was rendered at all.
"""

from __future__ import annotations

from html.parser import HTMLParser

# Two underscores: no token alphabet in the pages (CSRF, tracking) makes it by chance.
MARKER = "__xss"

# ≥ 30 distinct ways in. The window flag lets the browser test see execution.
PAYLOADS = [
    "<script>window.__xss=1</script>",
    "<SCRIPT SRC=/static/baoxiu/board.js?__xss=2></SCRIPT>",
    "<img src=x onerror=window.__xss=3>",
    '<img src="x" onerror="alert(\'__xss4\')">',
    "<svg onload=window.__xss=5>",
    "<svg><script>window.__xss=6</script></svg>",
    '"><script>window.__xss=7</script>',
    "'><img src=x onerror=window.__xss=8>",
    '" autofocus onfocus="window.__xss=9',
    "' onmouseover='window.__xss=10",
    "javascript:window.__xss=11",
    "JaVaScRiPt:alert('__xss12')",
    '<a href="javascript:window.__xss=13">点我</a>',
    '<iframe src="javascript:window.__xss=14"></iframe>',
    "<body onload=window.__xss=15>",
    "<details open ontoggle=window.__xss=16>",
    "<input autofocus onfocus=window.__xss=17>",
    "<math><mtext><img src=x onerror=window.__xss=18>",
    "{{7*7}}{{ __xss19 }}",
    "{% debug %}{% load __xss20 %}",
    "${7*7}#{7*7}<b>__xss21</b>",
    "</textarea><script>window.__xss=22</script>",
    "</title><script>window.__xss=23</script>",
    "<style>@import 'javascript:__xss24';</style>",
    '<object data="javascript:window.__xss=25">',
    '<embed src="data:text/html,<script>__xss26</script>">',
    "&lt;script&gt;window.__xss=27&lt;/script&gt;",
    "\\u003cscript\\u003ewindow.__xss=28\\u003c/script\\u003e",
    "＜script＞window.__xss=29＜/script＞",
    "<scr\u200bipt>window.__xss=30</scr\u200bipt>",
    "<img src=x onerror=&#119;indow.__xss=31>",
    '<div style="background:url(javascript:__xss32)">',
    '<meta http-equiv="refresh" content="0;url=javascript:__xss33">',
    '<base href="javascript:__xss34//">',
    '<form action="javascript:__xss35"><button>提交</button></form>',
    "行一\u2028行二\u2029__xss36",
    "--><script>window.__xss=37</script><!--",
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=38>">',
    "<x onclick=window.__xss=39>__xss39</x>",
    "<a href=//evil.example/__xss40>官方客服</a>",
    "\u202egnp.__xss41.exe",
    "<img src=x:x onerror=eval(atob('d2luZG93Ll9feHNzPTQy'))>",
]

# Short enough for the narrowest free-text field (the reporter's name, 30).
SHORT_PAYLOADS = [p for p in PAYLOADS if len(p) <= 30]

# Attributes whose value is only ever shown as text, never run or loaded.
SAFE_ATTRIBUTES = {"value", "title", "placeholder", "aria-label", "alt", "label"}


def _safe_attribute(name: str) -> bool:
    return name in SAFE_ATTRIBUTES or name.startswith("data-")


class _Scan(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self.text: list[str] = []
        self._raw_text_tag: str | None = None

    def handle_starttag(self, tag, attrs):
        if MARKER in tag:
            self.live.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.live.append(f"event handler {name}= on <{tag}>")
            elif MARKER in name:
                self.live.append(f"attribute {name} on <{tag}>")
            elif value and MARKER in value:
                if _safe_attribute(name):
                    self.text.append(value)
                else:
                    self.live.append(f"{name}={value!r} on <{tag}>")
        if tag in {"script", "style"}:
            self._raw_text_tag = tag

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == self._raw_text_tag:
            self._raw_text_tag = None

    def handle_data(self, data):
        if self._raw_text_tag:
            if data.strip():
                self.live.append(f"inline <{self._raw_text_tag}>: {data[:60]!r}")
        else:
            self.text.append(data)

    def handle_comment(self, data):
        if MARKER in data:
            self.live.append(f"comment: {data[:60]!r}")


def scan(html: str) -> _Scan:
    parser = _Scan()
    parser.feed(html)
    parser.close()
    return parser


def find_live_markup(html: str) -> list[str]:
    """Places where a payload (or any inline script or handler) would run or load."""
    return scan(html).live


def rendered_text(html: str) -> str:
    """What a reader sees: text nodes and harmless attribute values, unescaped."""
    return "\x00".join(scan(html).text)
