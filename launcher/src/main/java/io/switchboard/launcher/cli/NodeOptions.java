package io.switchboard.launcher.cli;

import picocli.CommandLine.Option;

/** The options every command that talks to a node shares: where the node is, and how to print. */
public final class NodeOptions {
  /** A node's HTTP port when {@code http.port} is not set (ConfigKeys.HTTP_PORT). */
  public static final String DEFAULT_URL = "http://localhost:8080";

  @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:SWITCHBOARD_URL:-" + DEFAULT_URL + "}",
      description = "The node's HTTP address (also SWITCHBOARD_URL; default ${DEFAULT-VALUE}).")
  String url;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "table (default) or json.")
  Format output;

  public NodeClient client() {
    return new NodeClient(url, null);
  }

  public NodeClient client(String token) {
    return new NodeClient(url, token);
  }

  public boolean json() {
    return output == Format.json;
  }
}
