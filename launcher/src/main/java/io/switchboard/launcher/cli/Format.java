package io.switchboard.launcher.cli;

/** How a command prints its answer: a table for people, or JSON (a stable shape, docs/operations.md). */
public enum Format {
  table,
  json
}
