package io.switchboard.common.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.util.Map;

/** Plain-text log lines ({@code log.format: text}), masked like the JSON ones. */
public final class MaskingTextLayout extends LayoutBase<ILoggingEvent> {
  private final Masker masker;
  private final String node;

  public MaskingTextLayout(Masker masker, String node) {
    this.masker = masker;
    this.node = node;
  }

  @Override
  public String doLayout(ILoggingEvent e) {
    StringBuilder sb = new StringBuilder(160);
    sb.append(Instant.ofEpochMilli(e.getTimeStamp())).append(' ')
        .append(String.format("%-5s", e.getLevel())).append(" [").append(e.getThreadName()).append("] ")
        .append(e.getLoggerName()).append(" node=").append(node).append(" - ").append(e.getFormattedMessage());
    Map<String, String> mdc = e.getMDCPropertyMap();
    if (mdc != null && !mdc.isEmpty()) {
      sb.append(' ').append(mdc);
    }
    if (e.getKeyValuePairs() != null) {
      e.getKeyValuePairs().forEach(kv -> sb.append(' ').append(kv.key).append('=').append(kv.value));
    }
    if (e.getThrowableProxy() != null) {
      sb.append(CoreConstants.LINE_SEPARATOR).append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
    }
    return masker.mask(sb.toString()) + CoreConstants.LINE_SEPARATOR;
  }
}
