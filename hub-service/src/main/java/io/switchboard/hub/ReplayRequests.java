package io.switchboard.hub;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.common.haip.ErrorCodes;
import io.switchboard.hub.protocol.Envelopes;
import io.switchboard.hub.protocol.Frame;
import io.switchboard.hub.protocol.MessageTypes;
import io.switchboard.hub.protocol.ReplayRange;
import io.switchboard.hub.session.ReplayWindow;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.LongAdder;

/**
 * REPLAY_REQUEST: every request gets one answer, on the asking session's event loop. A bad range or a range that
 * left the window gets an ERROR; otherwise the kept frames in range are resent (at most hub.replay.maxAnswerBytes of
 * them, and none once the socket's write queue is full), followed by an INFO on channel SYSTEM saying how many were
 * sent and, when cut short, the seq to ask from for the rest.
 */
final class ReplayRequests {
  private final HubSettings settings;
  private final LongAdder cut = new LongAdder();

  ReplayRequests(HubSettings settings, MeterRegistry registry) {
    this.settings = settings;
    FunctionCounter.builder("switchboard.replay.answers.truncated", cut, LongAdder::sum)
        .description("REPLAY_REQUEST answers cut short by hub.replay.maxAnswerBytes or a full write queue")
        .register(registry);
  }

  /** Answers {@code f} from {@code w}, the replay window of the transaction it names in session {@code s}. */
  void answer(HaipSession s, ReplayWindow w, Frame f) {
    JsonObject p = f.payloadObject();
    ReplayRange range = p == null ? ReplayRange.parse(null, null) : ReplayRange.parse(p.getValue("from_seq"), p.getValue("to_seq"));
    if (!range.ok()) {
      s.error(ErrorCodes.INVALID_PAYLOAD, range.problem(), f.id, f.transaction);
      return;
    }
    ReplayWindow.Replay r = w.replay(range.from(), range.to(), System.currentTimeMillis(), settings.replayMaxAnswerBytes());
    if (r.tooOld()) {
      s.error(ErrorCodes.REPLAY_TOO_OLD, "frames from seq " + range.from() + " have left the replay window", f.id, f.transaction);
      return;
    }
    long next = r.nextSeq();
    String limit = next >= 0 ? "hub.replay.maxAnswerBytes" : null;
    int sent = 0;
    for (String text : r.frames()) {
      if (s.writeQueueFull()) {
        next = r.seqs().get(sent);
        limit = "write queue full";
        break;
      }
      s.writeText(text);
      sent++;
    }
    JsonObject answer = new JsonObject().put("related_id", f.id).put("from_seq", Long.toString(range.from()))
        .put("frames", sent).put("complete", next < 0);
    if (next >= 0) {
      cut.increment();
      answer.put("next_seq", Long.toString(next)).put("limit", limit);
    }
    s.send(Envelopes.frame(s.id, f.transaction, "SYSTEM", MessageTypes.INFO, new JsonObject().put("replay", answer)), null);
  }
}
