/**
 * The remote control's verbs, once for HTTP and OSC: each is checked with zod (reusing the settings
 * schema's fields), then either changes the settings and tells the pages, or is sent to the pages as
 * a command (the page owns the running style and the canvas).
 */
import { z } from 'zod';
import { SettingsSchema, type Settings } from '../../../common/settings-schema.js';
import type { MirrorCommand } from '../../../common/mirror-events.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { PageHub } from './page-hub.js';

const fields = SettingsSchema.shape;

export const RemoteVerbSchema = z.discriminatedUnion('verb', [
  z.object({ verb: z.literal('style-next') }).strict(),
  z.object({ verb: z.literal('style-previous') }).strict(),
  z.object({ verb: z.literal('select-style'), id: fields.lastModelId.unwrap() }).strict(),
  z.object({ verb: z.literal('snapshot') }).strict(),
  z.object({ verb: z.literal('strength'), value: fields.strength }).strict(),
  z.object({ verb: z.literal('kiosk'), on: fields.kiosk.shape.enabled }).strict(),
  z.object({ verb: z.literal('cycle'), seconds: fields.cycle.shape.seconds }).strict(),
]);
export type RemoteVerb = z.infer<typeof RemoteVerbSchema>;
export type RemoteVerbName = RemoteVerb['verb'];

/** A verb refused; `status` is its HTTP status. */
export class RemoteVerbError extends Error {
  override readonly name = 'RemoteVerbError';

  constructor(
    readonly code: 'invalid-request' | 'no-page' | 'unknown-style' | 'settings-refused',
    readonly status: 400 | 404 | 409 | 503,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `args` (a request body, OSC's arguments named) as verb `verb`, or a {@link RemoteVerbError} naming
 * the field and what is wrong with it.
 */
export function parseRemoteVerb(verb: RemoteVerbName, args: Record<string, unknown>): RemoteVerb {
  const parsed = RemoteVerbSchema.safeParse({ ...args, verb });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ');
  throw new RemoteVerbError('invalid-request', 400, `${verb}: ${problems}`);
}

/** What a verb did. */
export interface VerbOutcome {
  readonly verb: RemoteVerbName;
  /** Pages the command or the new settings were sent to. */
  readonly pages: number;
  /** The whole new settings, for the verbs that change them. */
  readonly settings?: Settings;
}

export interface RemoteVerbsDeps {
  readonly settings: SettingsStore;
  readonly pages: PageHub;
  /** The styles the mirror can show, to refuse an unknown id before any page sees it. */
  readonly styleIds: () => Promise<readonly string[]>;
}

/** Runs one checked verb. */
export type RunVerb = (verb: RemoteVerb) => Promise<VerbOutcome>;

export function createRemoteVerbs(deps: RemoteVerbsDeps): RunVerb {
  const { settings, pages } = deps;

  function command(command: MirrorCommand): VerbOutcome {
    // Attached pages that cannot take it (an error page, a socket closing) count as none.
    const reached = pages.size === 0 ? 0 : pages.broadcast({ kind: 'command', command });
    if (reached === 0) {
      throw new RemoteVerbError(
        'no-page',
        503,
        `No mirror page is open to ${command.verb}: open the mirror (its window, or the address serve printed) first.`,
      );
    }
    return { verb: command.verb, pages: reached };
  }

  function change(verb: RemoteVerbName, patch: Parameters<SettingsStore['update']>[0]): VerbOutcome {
    let next: Settings;
    try {
      next = settings.update(patch);
    } catch (error) {
      throw new RemoteVerbError('settings-refused', 409, `${verb}: ${(error as Error).message}`);
    }
    return { verb, pages: pages.broadcast({ kind: 'settings', settings: next }), settings: next };
  }

  return async (verb) => {
    switch (verb.verb) {
      case 'style-next':
      case 'style-previous':
      case 'snapshot':
        return command({ verb: verb.verb });
      case 'select-style': {
        const ids = await deps.styleIds();
        if (!ids.includes(verb.id)) {
          throw new RemoteVerbError(
            'unknown-style',
            404,
            `No style ${JSON.stringify(verb.id)}; the styles are ${ids.map((id) => JSON.stringify(id)).join(', ') || 'none'}.`,
          );
        }
        return command({ verb: 'select-style', id: verb.id });
      }
      case 'strength':
        return change(verb.verb, { strength: verb.value });
      case 'kiosk':
        return change(verb.verb, { kiosk: { enabled: verb.on } });
      case 'cycle':
        return change(verb.verb, { cycle: { seconds: verb.seconds } });
    }
  };
}
