/**
 * How much work one browser-mode server takes on, whoever asks: with `--host` it serves a local
 * network, and a page holding the token is still a stranger's page. What one message may hold is
 * bounded in `common/wire.ts`; these bound how many of them run at once.
 */

/** Pages (WebSockets) open at once; one more is refused with 503 until one closes. */
export const MAX_PAGES = 8;

/**
 * Frames one page may have at the engine at once. Two keep the engine busy while a result travels
 * back; more would only build a queue, and a queue is latency: the mirror must show you now.
 */
export const MAX_FRAMES_IN_FLIGHT = 2;

/**
 * Control requests one page may have unanswered at once. The page makes them one at a time (its
 * settings saver, model switcher, thumbnails and snapshots each wait for their answer), so at most
 * one of each kind; and each may hold a style's painting (up to 20 MiB) in memory.
 */
export const MAX_CONTROL_CALLS_IN_FLIGHT = 4;

/**
 * Reply bytes a page may leave unread (sent but not yet taken by its browser). A page that stops
 * reading while it keeps asking would otherwise pile its replies up in the server's memory: past
 * this it is disconnected. Room for a style's painting (at most 20 MiB) and a frame of the largest size.
 */
export const MAX_UNREAD_REPLY_BYTES = 32 * 1024 * 1024;

/**
 * Snapshots one run of the server saves, and their bytes together: at 640x480 (a few hundred KB
 * each) a day of pressing S, and at most 1 GiB of the operator's disk whatever a page sends.
 */
export const SNAPSHOT_QUOTA = { files: 500, bytes: 1024 * 1024 * 1024 } as const;

/** Error lines one page may put in the server's log; past that, one line says the rest are left out. */
export const LOGGED_ERRORS_PER_PAGE = 20;
