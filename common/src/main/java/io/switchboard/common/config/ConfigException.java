package io.switchboard.common.config;

/** A configuration problem that stops start-up; the message names the key (and the value, unless secret). */
public class ConfigException extends RuntimeException {
  private final String key;

  public ConfigException(String key, String message) {
    super(message);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
