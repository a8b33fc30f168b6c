package io.switchboard.launcher.cli;

import picocli.CommandLine.Option;

/**
 * {@code --token}: a bearer credential (an admin token or a JWT with role admin) for the node's admin surface, also
 * SWITCHBOARD_TOKEN; sent as {@code Authorization: Bearer}, never printed.
 */
public final class TokenOption {
  @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:SWITCHBOARD_TOKEN}",
      description = "Admin token or JWT sent as a Bearer header with admin requests (also SWITCHBOARD_TOKEN).")
  String token;
}
