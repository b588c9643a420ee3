import { describe, expect, it } from 'vitest';
import { RequestError, RequestTracker, type OpenRequest } from '../../common/request-tracker.js';
import { ManualTimers } from '../support/manual-timers.js';

/** Whether `promise` has settled yet, without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  const first = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    Promise.resolve(marker),
  ]);
  return first !== marker;
}

describe('RequestTracker', () => {
  it('numbers requests and settles each by its id, in any order', async () => {
    const tracker = new RequestTracker<string>();
    const a = tracker.open({ label: 'a' });
    const b = tracker.open({ label: 'b' });
    expect(b.id).not.toBe(a.id);
    expect(tracker.size).toBe(2);
    expect(tracker.resolve(b.id, 'for b')).toBe(true);
    expect(tracker.reject(a.id, new Error('for a'))).toBe(true);
    await expect(b.reply).resolves.toBe('for b');
    await expect(a.reply).rejects.toThrow('for a');
    expect(tracker.size).toBe(0);
  });

  it('ignores replies to ids that are not open: late, repeated or made up', async () => {
    const tracker = new RequestTracker<string>();
    const a = tracker.open({ label: 'a' });
    expect(tracker.resolve(a.id + 100, 'made up')).toBe(false);
    expect(tracker.resolve(a.id, 'first')).toBe(true);
    expect(tracker.resolve(a.id, 'again')).toBe(false);
    expect(tracker.reject(a.id, new Error('late'))).toBe(false);
    await expect(a.reply).resolves.toBe('first');
  });

  it('fails a request at its deadline with a RequestError coded timeout, and not before', async () => {
    const timers = new ManualTimers();
    const tracker = new RequestTracker({ timers });
    const slow = tracker.open({ label: '"status"', timeoutMs: 5_000 });
    const unbounded = tracker.open({ label: 'no deadline' });
    timers.advance(4_999);
    expect(await settled(slow.reply)).toBe(false);
    timers.advance(1);
    const error = await slow.reply.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestError);
    expect(error).toMatchObject({ code: 'timeout', message: 'No answer to "status" within 5 s.' });
    // A reply after the deadline finds nothing; a request without a deadline waits on.
    expect(tracker.resolve(slow.id, 'late')).toBe(false);
    timers.advance(600_000);
    expect(await settled(unbounded.reply)).toBe(false);
    expect(tracker.size).toBe(1);
  });

  it('answered in time: its deadline is cleared', async () => {
    const timers = new ManualTimers();
    const tracker = new RequestTracker({ timers });
    const quick = tracker.open({ label: 'quick', timeoutMs: 1_000 });
    tracker.resolve(quick.id, 'done');
    expect(timers.pending).toBe(0);
    await expect(quick.reply).resolves.toBe('done');
  });

  it('in order: a request’s deadline starts only when the one before it is answered', async () => {
    const timers = new ManualTimers();
    const tracker = new RequestTracker({ timers, inOrder: true });
    const load = tracker.open({ label: 'load', timeoutMs: 60_000 });
    const frame = tracker.open({ label: 'frame', timeoutMs: 5_000 });
    // The load takes 40 s: far longer than a frame may, but the frame has not started yet.
    timers.advance(40_000);
    expect(await settled(frame.reply)).toBe(false);
    tracker.resolve(load.id, 'loaded');
    timers.advance(4_999);
    expect(await settled(frame.reply)).toBe(false);
    timers.advance(1);
    await expect(frame.reply).rejects.toMatchObject({ code: 'timeout' });
  });

  it('lets the deadline hook choose the error and act: here, failing everything open', async () => {
    const timers = new ManualTimers();
    const timedOut: OpenRequest[] = [];
    const tracker: RequestTracker = new RequestTracker({
      timers,
      inOrder: true,
      onTimeout: (request) => {
        timedOut.push(request);
        const error = new Error(`hung on ${request.label}`);
        tracker.rejectAll(error);
        return error;
      },
    });
    const first = tracker.open({ label: 'first', timeoutMs: 100 });
    const second = tracker.open({ label: 'second', timeoutMs: 100 });
    timers.advance(100);
    await expect(first.reply).rejects.toThrow('hung on first');
    await expect(second.reply).rejects.toThrow('hung on first');
    expect(timedOut.map((r) => [r.label, r.timeoutMs])).toEqual([['first', 100]]);
    expect(timers.pending).toBe(0);
  });

  it('rejectAll fails everything open and clears its deadlines; new requests still work', async () => {
    const timers = new ManualTimers();
    const tracker = new RequestTracker<string>({ timers });
    const a = tracker.open({ label: 'a', timeoutMs: 1_000 });
    const b = tracker.open({ label: 'b' });
    tracker.rejectAll(new RequestError('disconnected', 'gone'));
    await expect(a.reply).rejects.toMatchObject({ code: 'disconnected', message: 'gone' });
    await expect(b.reply).rejects.toMatchObject({ code: 'disconnected' });
    expect(timers.pending).toBe(0);
    const c = tracker.open({ label: 'c' });
    tracker.resolve(c.id, 'fine');
    await expect(c.reply).resolves.toBe('fine');
  });

  it('close fails everything open and every later request with its error', async () => {
    const tracker = new RequestTracker();
    const open = tracker.open({ label: 'open' });
    tracker.close();
    expect(tracker.closed).toBe(true);
    await expect(open.reply).rejects.toMatchObject({ name: 'RequestError', code: 'closed' });
    await expect(tracker.open({ label: 'after' }).reply).rejects.toMatchObject({ code: 'closed' });

    const stopped = new RequestTracker();
    const why = new Error('Chromium exited (code 1)');
    stopped.close(why);
    await expect(stopped.open({ label: 'after' }).reply).rejects.toBe(why);
  });
});
