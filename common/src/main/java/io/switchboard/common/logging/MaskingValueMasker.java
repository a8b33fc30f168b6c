package io.switchboard.common.logging;

import com.fasterxml.jackson.core.JsonStreamContext;
import net.logstash.logback.mask.ValueMasker;

/** JSON log lines: a field whose name is sensitive is masked whole; every other string value is scanned. */
public final class MaskingValueMasker implements ValueMasker {
  private final Masker masker;

  public MaskingValueMasker(Masker masker) {
    this.masker = masker;
  }

  @Override
  public Object mask(JsonStreamContext context, Object value) {
    String name = context.getCurrentName();
    if (name != null && masker.isSensitiveName(name) && value != null) {
      return Masker.MASK;
    }
    if (value instanceof CharSequence cs) {
      String s = cs.toString();
      String masked = masker.mask(s);
      return masked == s ? null : masked;
    }
    return null;
  }
}
