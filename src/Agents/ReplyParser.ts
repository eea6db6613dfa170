/**
 * Reading a person's reply like a person does: what they wrote themselves (no quoted original, no
 * signature), whether it clearly approves or declines, the company and web domain it gives, and
 * whether a person wrote it at all (auto-replies, out-of-office notes and bounces are never
 * decisions). English and German; the word tables are in Reply/Rules. Pure.
 *
 * Deliberately unlike upstream: quoted text never counts, "DISAPPROVE"/"not ok"/"Not sure" are
 * not approvals, a reply with both signals is "unclear", and so is one that hedges, sets a
 * condition or puts the answer off ("sure — once legal has signed off"): the request then stays
 * pending and the person is asked again.
 */
import { isAwayNote, machineReason, type ReadReplyInput } from "./Reply/Automatic.js"
import { type Decision, decide } from "./Reply/Decision.js"
import { fieldsOf, inlineAnswers } from "./Reply/Fields.js"
import { ownText } from "./Reply/OwnText.js"

export { type Decision, parseDecision } from "./Reply/Decision.js"
export { parseFields, type ReplyFields } from "./Reply/Fields.js"
export { type ReplySource } from "./Reply/FreeText.js"
export { ownText } from "./Reply/OwnText.js"

export type ReadReply =
  /** An auto-reply, bounce or out-of-office note: never a decision, never answered. */
  | { readonly _tag: "Automatic"; readonly reason: string }
  | {
    readonly _tag: "Reply"
    readonly text: string
    readonly decision: Decision
    readonly fields: Record<string, string>
  }

/**
 * A reply as a person reads it. A person's note that they are away counts as an out-of-office
 * reply unless it also decides or gives the company.
 */
export const readReply = (
  mail: ReadReplyInput,
  options?: { readonly ownDomains?: ReadonlyArray<string> }
): ReadReply => {
  const text = ownText(mail.text)
  const machine = machineReason(mail, text)
  if (machine !== undefined) return { _tag: "Automatic", reason: machine }
  const decision = decide(text)
  const fields = fieldsOf(text, { from: mail.from, ownDomains: options?.ownDomains }, inlineAnswers(mail.text))
  if (decision === "unclear" && fields["company"] === undefined && fields["domain"] === undefined && isAwayNote(text)) {
    return { _tag: "Automatic", reason: "text: out of office" }
  }
  return { _tag: "Reply", text, decision, fields }
}

export type { ReadReplyInput }
