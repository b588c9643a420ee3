import { useEffect, useState } from 'react';
import { MAX_RECORDING_SECONDS } from '../mirror/recorder.js';
import { selectRecordingSince } from '../store/selectors.js';
import { useMirror } from '../store/use-mirror.js';

/** A red dot and the time recorded, always on screen while the mirror is being recorded. */
export function RecordingIndicator() {
  const since = useMirror(selectRecordingSince);
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (since === null) return;
    const timer = setInterval(() => setNow(performance.now()), 500);
    return () => clearInterval(timer);
  }, [since]);
  if (since === null) return null;
  const seconds = Math.max(0, Math.floor((now - since) / 1000));
  const clock = (s: number) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  return (
    <div className="recording-indicator" data-testid="recording-indicator" role="status">
      <span className="recording-dot" aria-hidden="true" />
      REC {clock(seconds)} / {clock(MAX_RECORDING_SECONDS)} · R to stop
    </div>
  );
}
