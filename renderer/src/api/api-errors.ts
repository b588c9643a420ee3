import type { ContractError, Result } from '../../../common/contract.js';
import type { EngineError } from '../../../common/engine-types.js';

/** A frame failure in the engine protocol's shape. */
export function engineFailure<T>(kind: string, message: string): Result<T, EngineError> {
  return { ok: false, error: { kind, message } };
}

/** Any error value as a contract error, for calls that threw where they should have returned. */
export function asContractError(error: unknown, what: string): ContractError {
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'call-failed', message: `${what} failed: ${message}` };
}
