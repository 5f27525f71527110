"""``kg serve``: the built graph as a read-only SPARQL 1.1 endpoint."""

from __future__ import annotations

import signal
from pathlib import Path

from kg.commands.common import EXIT_INPUT, EXIT_OK, add_read_store, command, log, open_store, positive


def register(sub) -> None:
    p = command(
        sub, "serve", "Serve the built graph as a read-only SPARQL 1.1 endpoint.",
        "Prints the endpoint's query URL on its first line, then serves until stopped\n"
        "(Ctrl-C). Refuses updates and SERVICE; FROM, FROM NAMED, default-graph-uri and\n"
        "named-graph-uri select graphs the store holds and are refused for any other, so\n"
        "no request ever leaves. Queries run in Oxigraph in --workers processes, each\n"
        "with a time limit (503 after) and a row limit (a cut result carries the header\n"
        "X-Result-Truncated). With --store oxigraph:PATH, a `kg load` into PATH is picked\n"
        "up between queries. /catalogue/NAME runs a catalogue query with parameters from\n"
        "the URL; GET /sparql without a query gives the service description.\n\n"
        "Pages: /catalogue/NAME?limit=N&offset=M answers rows M+1 to M+N of the query, in its\n"
        "own order (N at most --max-rows), with the header X-Total-Rows and, when rows follow,\n"
        "Link: <...&offset=M+N>; rel=\"next\". The first page computes the whole result once\n"
        "(a sorted listing has to) and keeps it for the store version it was read from,\n"
        "which never changes, so later pages come at once; while it is being computed a\n"
        "request waits up to --timeout, then gets 503 with Retry-After. --warm computes the\n"
        "listing of every catalogue query without a required parameter at start (and for\n"
        "each new version a `kg load` swaps in), one at a time in one worker.",
        "kg serve --port 7878   # then: curl -G --data-urlencode 'query=ASK {}' http://127.0.0.1:7878/sparql",
    )
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=7878, help="the port (default: 7878; 0 picks a free one)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds a query may run (default: 10)")
    p.add_argument("--max-rows", type=int, default=10_000,
                   help="rows (or triples) a result may have before it is cut (default: 10000)")
    p.add_argument("--workers", type=positive, default=8,
                   help="queries evaluated at once, each in its own process (default: 8); more wait their turn")
    p.add_argument("--idle-timeout", type=float, default=30.0,
                   help="seconds an idle or stalled connection is kept open (default: 30)")
    p.add_argument("--warm", action="store_true",
                   help="compute every listing once at start and for each new store version, so that the "
                        "first page of each comes at once (at 10^6 triples: minutes of one worker)")
    add_read_store(p)
    p.set_defaults(func=run)


def _stop(signum, frame) -> None:
    """`kill` (SIGTERM) ends the server as Ctrl-C does: waitress leaves its loop and the workers are ended."""
    raise KeyboardInterrupt


def run(args) -> int:
    from kg.serve import ServerConfig, make_server  # noqa: PLC0415
    from kg.store import store_kind  # noqa: PLC0415

    kind, location = store_kind(args.store)
    if kind == "sparql":
        log.error("kg serve serves a memory or oxigraph:PATH store; %s is an endpoint already", location)
        return EXIT_INPUT
    if kind == "oxigraph":
        from kg.store import pin_version  # noqa: PLC0415

        pin_version(location).release()  # fails now, with the reason, if there is no store there
        graph = Path(location)  # re-resolved between queries: a `kg load` is picked up while serving
    else:
        graph = open_store(args)
    config = ServerConfig(timeout=args.timeout, max_rows=args.max_rows, workers=args.workers,
                          channel_timeout=args.idle_timeout, warm=args.warm)
    try:
        server = make_server(graph, args.host, args.port, config)
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s", args.host, args.port, exc.strerror or exc)
        return EXIT_INPUT
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}/sparql", flush=True)
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return EXIT_OK
