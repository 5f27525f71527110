"""``kg serve``: the built graph as a read-only SPARQL 1.1 endpoint."""

from __future__ import annotations

from kg.commands.common import EXIT_OK, add_read_store, command, open_store


def register(sub) -> None:
    p = command(
        sub, "serve", "Serve the built graph as a read-only SPARQL 1.1 endpoint.",
        "Prints the endpoint's query URL on its first line, then serves until stopped\n"
        "(Ctrl-C). Refuses updates, SERVICE, FROM/FROM NAMED and the dataset parameters;\n"
        "makes no outbound requests. Each query has a time limit and a row limit; a cut\n"
        "result is marked (header X-Result-Truncated). /catalogue/NAME runs a catalogue\n"
        "query with parameters from the URL.",
        "kg serve --port 7878   # then: curl 'http://127.0.0.1:7878/sparql?query=ASK{}'",
    )
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=7878, help="the port (default: 7878; 0 picks a free one)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds a query may run (default: 10)")
    p.add_argument("--max-rows", type=int, default=10_000, help="rows a result may have before it is cut (default: 10000)")
    add_read_store(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from kg.serve import ServerConfig, make_server  # noqa: PLC0415

    server = make_server(open_store(args), args.host, args.port, ServerConfig(args.timeout, args.max_rows))
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}/sparql", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return EXIT_OK
