package io.switchboard.launcher.cli;

import picocli.CommandLine.Option;

/** {@code --token}: a bearer token for the node's write API, also SWITCHBOARD_TOKEN; sent, never printed. */
public final class TokenOption {
  @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:SWITCHBOARD_TOKEN}",
      description = "Bearer token sent with writes (also SWITCHBOARD_TOKEN).")
  String token;
}
