/** What is said about an error wherever it is recorded: its tag (or class name) and its message. */
export const errorInfo = (error: unknown): { readonly type: string; readonly message: string } => {
  if (error instanceof Error) {
    const tag = (error as { readonly _tag?: unknown })._tag
    return { type: typeof tag === "string" ? tag : error.name, message: error.message }
  }
  if (typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string") {
    return { type: error._tag, message: "message" in error ? String(error.message) : error._tag }
  }
  return { type: "UnknownError", message: String(error) }
}
