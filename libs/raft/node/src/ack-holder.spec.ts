// Goal: a follower's acks of appends that brought no new entries are held, never dropped: they
// leave in front of the next message to the same peer, or alone after the hold time; every
// other message passes at once. Method: an AckHolder on a ManualClock, recording what it sends.
import { ManualClock } from '@shoal/clock';
import { MessageType, type Message } from '@shoal/raft';
import { AckHolder } from './ack-holder';

function message(type: MessageType, to: number, index: number, reject = false): Message {
  return {
    type, to, from: 2, term: 1, logTerm: 1, index, entries: [], commit: 0, reject,
    rejectHint: 0, context: new Uint8Array(0),
  };
}

const HOLD_MS = 10;

function setup(): { clock: ManualClock; holder: AckHolder; sent: Message[][] } {
  const clock = new ManualClock();
  const sent: Message[][] = [];
  const holder = new AckHolder(clock, HOLD_MS, (messages) => sent.push(messages));
  return { clock, holder, sent };
}

describe('AckHolder', () => {
  it('holds the ack of an empty append and sends it alone after the hold time', () => {
    const { clock, holder, sent } = setup();
    const ack = message(MessageType.MsgAppResp, 1, 7);
    expect(holder.outgoing([ack], true)).toEqual([]);
    clock.advance(HOLD_MS - 1);
    expect(sent).toEqual([]);
    clock.advance(1);
    expect(sent).toEqual([[ack]]);
  });

  it('sends a held ack in front of the next message to the same peer', () => {
    const { clock, holder, sent } = setup();
    const held = message(MessageType.MsgAppResp, 1, 7);
    const toOther = message(MessageType.MsgHeartbeatResp, 3, 0);
    const next = message(MessageType.MsgAppResp, 1, 8);
    holder.outgoing([held], true);
    expect(holder.outgoing([toOther], false)).toEqual([toOther]);
    expect(holder.outgoing([next], false)).toEqual([held, next]);
    clock.advance(HOLD_MS);
    expect(sent).toEqual([]);
  });

  it('passes rejections, acks of new entries and other messages at once', () => {
    const { holder } = setup();
    const reject = message(MessageType.MsgAppResp, 1, 7, true);
    const heartbeat = message(MessageType.MsgHeartbeatResp, 1, 0);
    expect(holder.outgoing([reject, heartbeat], true)).toEqual([reject, heartbeat]);
    const ack = message(MessageType.MsgAppResp, 1, 9);
    expect(holder.outgoing([ack], false)).toEqual([ack]);
  });

  it('flush sends every held ack; drop forgets them', () => {
    const { clock, holder, sent } = setup();
    const a = message(MessageType.MsgAppResp, 1, 7);
    holder.outgoing([a], true);
    holder.flush();
    expect(sent).toEqual([[a]]);
    holder.outgoing([message(MessageType.MsgAppResp, 1, 8)], true);
    holder.drop();
    clock.advance(HOLD_MS);
    expect(sent).toEqual([[a]]);
  });
});
