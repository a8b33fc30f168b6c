package io.switchboard.common.config;

/** The type of a configuration key; decides how a string from the environment or YAML is parsed. */
public enum ConfigType {
  STRING,
  INT,
  LONG,
  DOUBLE,
  BOOLEAN,
  /** Milliseconds: a number, or a number with a unit (ms, s, m, h), e.g. {@code 500ms}, {@code 2s}, {@code 5m}. */
  DURATION,
  /** Bytes: a number, or with a unit (KB, MB, KiB, MiB), e.g. {@code 1MiB}. */
  BYTES,
  /** A list of strings: a YAML list, or a comma-separated string. */
  LIST,
  /** One of a fixed set of words. */
  ENUM,
  /** Structured JSON (a YAML list or map, or a JSON string in the environment). */
  JSON
}
