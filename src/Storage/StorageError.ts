/**
 * Our own stores (the HITL tables, the dossier folder) could not be read or written. A typed
 * failure, not a defect: a workflow step retries it like any other transient trouble.
 */
import { Data } from "effect"
import { errorInfo } from "../Domain/ErrorInfo.js"

export class StorageError extends Data.TaggedError("StorageError")<{
  readonly operation: string
  readonly reason: string
}> {
  override get message() {
    return `${this.operation}: ${this.reason}`
  }

  /** For `Effect.mapError`: keeps what went wrong, names where. */
  static readonly from = (operation: string) => (cause: unknown) =>
    new StorageError({ operation, reason: errorInfo(cause).message })
}
