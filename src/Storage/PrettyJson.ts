/**
 * `JSON.stringify(value, null, 2) + "\n"`, in pieces: one array of the value (a run summary's
 * events) is written an element at a time. A summary of 100,000 events is a string of tens of MB,
 * and the bytes written from it as many again; in pieces, neither is ever held whole.
 */

/** A property value no real summary holds, where the array's elements go. */
const MARK = "\u0000pretty-json-elements\u0000"

export function* prettyJsonChunks<K extends string>(
  value: { readonly [key in K]: ReadonlyArray<unknown> },
  arrayKey: K
): Generator<string> {
  const elements = value[arrayKey]
  const whole = JSON.stringify({ ...value, [arrayKey]: MARK }, null, 2)
  const at = whole.indexOf(JSON.stringify(MARK))
  if (elements.length === 0 || at < 0) {
    yield JSON.stringify(value, null, 2) + "\n"
    return
  }
  // The elements sit two levels deep: each line of theirs is indented by four more spaces.
  yield whole.slice(0, at) + "[\n"
  for (let i = 0; i < elements.length; i++) {
    const element = JSON.stringify(elements[i] ?? null, null, 2) ?? "null"
    yield "    " + element.replaceAll("\n", "\n    ") + (i < elements.length - 1 ? ",\n" : "\n")
  }
  yield "  ]" + whole.slice(at + JSON.stringify(MARK).length) + "\n"
}
