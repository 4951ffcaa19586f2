"""`essaykit serve`: the web book on a local port, rebuilt on every save, and the
browser reloaded when the new page is there.

Built from the libraries sphinx-autobuild is built from (Starlette, uvicorn,
watchfiles), through their documented APIs; the difference is the builder
(`essaykit.live.warm`): Sphinx stays imported and ready between saves instead
of starting in a new process for each one.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from essaykit.live.warm import Rebuild, WarmBuilder, describe

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.types import ASGIApp, Message, Receive, Scope, Send
    from starlette.websockets import WebSocket

RELOAD_PATH = "/_essaykit/live"
# Reload when the server says a build is done; reconnect quietly after a restart.
RELOAD_SCRIPT = f"""
<script>
(function () {{
  function connect() {{
    var socket = new WebSocket("ws://" + location.host + "{RELOAD_PATH}");
    socket.onmessage = function () {{ location.reload(); }};
    socket.onclose = function () {{ setTimeout(connect, 1000); }};
  }}
  connect();
}})();
</script>
""".encode()


class InjectReload:
    """ASGI middleware: the reload script at the end of every HTML page served
    (never written into the built files, which stay as a reader gets them)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.datastructures import MutableHeaders

        is_html = False

        async def send_with_script(message: Message) -> None:
            nonlocal is_html
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    is_html = True
                    if "content-length" in headers:
                        headers["content-length"] = str(
                            int(headers["content-length"]) + len(RELOAD_SCRIPT))
            elif message["type"] == "http.response.body" and is_html \
                    and not message.get("more_body", False):
                message["body"] = message.get("body", b"") + RELOAD_SCRIPT
            await send(message)

        await self.app(scope, receive, send_with_script)


class LivePreview:
    """The watcher, the builder and the browsers waiting for a reload."""

    def __init__(self, root: Path, outdir: Path, builder: WarmBuilder) -> None:
        self.root, self.outdir, self.builder = root, outdir, builder
        self.listeners: set[asyncio.Queue[str]] = set()
        self.stopping = asyncio.Event()

    async def watch(self) -> None:
        import watchfiles

        ignored = watchfiles.DefaultFilter(ignore_paths=[str(self.outdir),
                                                         str(self.root / "_build")])
        async for changes in watchfiles.awatch(self.root, watch_filter=ignored,
                                               stop_event=self.stopping):
            changed = sorted({Path(path).relative_to(self.root).as_posix()
                              for _, path in changes if Path(path).is_relative_to(self.root)})
            print(f"essaykit: saved: {', '.join(changed[:5])}"
                  + (f" and {len(changed) - 5} more" if len(changed) > 5 else ""))
            result: Rebuild = await asyncio.to_thread(self.builder.rebuild)
            describe(result, sys.stdout)
            if result.built:
                for queue in list(self.listeners):
                    queue.put_nowait("reload")

    async def reload_socket(self, websocket: WebSocket) -> None:
        from starlette.websockets import WebSocketDisconnect

        await websocket.accept()
        queue: asyncio.Queue[str] = asyncio.Queue()
        self.listeners.add(queue)
        try:
            waiting = asyncio.ensure_future(websocket.receive_text())
            while True:
                told = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait({waiting, told},
                                             return_when=asyncio.FIRST_COMPLETED)
                if waiting in done:  # the page went away (or said something: ignored)
                    told.cancel()
                    waiting.result()
                    waiting = asyncio.ensure_future(websocket.receive_text())
                    continue
                await websocket.send_text(told.result())
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self.listeners.discard(queue)

    @asynccontextmanager
    async def lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        watching = asyncio.create_task(self.watch())
        try:
            yield
        finally:
            self.stopping.set()
            await asyncio.gather(watching, return_exceptions=True)

    def app(self) -> Starlette:
        from starlette.applications import Starlette
        from starlette.middleware import Middleware
        from starlette.routing import Mount, WebSocketRoute
        from starlette.staticfiles import StaticFiles

        return Starlette(
            routes=[WebSocketRoute(RELOAD_PATH, self.reload_socket),
                    Mount("/", app=StaticFiles(directory=self.outdir, html=True))],
            middleware=[Middleware(InjectReload)],
            lifespan=self.lifespan,
        )


def serve(root: Path, host: str, port: int, *, verbose: bool = False) -> int:
    """Build the preview, serve it, rebuild on every save until Ctrl+C."""
    import uvicorn

    outdir = root / "_build" / "live"
    outdir.mkdir(parents=True, exist_ok=True)
    builder = WarmBuilder(root, outdir, root / "_build" / ".live", drafts=True, verbose=verbose)
    try:
        print("essaykit: building the preview (drafts included, marked)")
        first = builder.rebuild()
        describe(first, sys.stdout, first=True)
        preview = LivePreview(root, outdir, builder)
        print(f"essaykit: serving http://{host}:{port}/ — Ctrl+C to stop")
        uvicorn.run(preview.app(), host=host, port=port, log_level="warning")
    finally:
        builder.stop()
    return 0
