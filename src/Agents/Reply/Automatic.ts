/**
 * Mail no person wrote: auto-replies, bounces, read receipts, and notes that say only that their
 * author is away. None of them is ever a decision.
 */
import * as Rules from "./Rules.js"
import { fold } from "./Words.js"

/** A mail as the reply reader takes it. */
export interface ReadReplyInput {
  /** Sender address; its domain is the replier's own company, never taken as the company's domain. */
  readonly from: string
  readonly subject: string
  /** The full body, quoted parts included. */
  readonly text: string
  /** Why the headers say the mail is machine-sent (IncomingMail.automatic). */
  readonly automatic?: string | undefined
}

const AWAY_TEXT_HEAD = 3000
const SUBJECT_PREFIX = /^\s*((re|aw|antw|fw|fwd|wg|sv|tr)\s*(\[\d+\])?\s*:\s*)+/i

/**
 * Why a mail is machine-sent, when it is: the headers (read by the mail adapter), a robot
 * sender, an auto-reply/bounce subject, or a text only machines write.
 */
export const machineReason = (mail: ReadReplyInput, own: string): string | undefined => {
  if (mail.automatic !== undefined && mail.automatic.trim().length > 0) return mail.automatic.trim()
  const local = mail.from.trim().split("@")[0] ?? ""
  if (Rules.MACHINE_SENDERS.test(local)) return `sender: ${mail.from.trim()}`
  const subject = mail.subject.replace(SUBJECT_PREFIX, "").trim()
  const bySubject = Rules.AUTOMATIC_SUBJECTS.find(([pattern]) => pattern.test(subject))
  if (bySubject) return `subject: ${bySubject[1]} ("${mail.subject.trim().slice(0, 120)}")`
  const head = fold((own.length > 0 ? own : mail.text).slice(0, AWAY_TEXT_HEAD))
  const byText = Rules.AUTOMATIC_BODIES.find(([pattern]) => pattern.test(head))
  return byText ? `text: ${byText[1]}` : undefined
}

/** "I'm travelling, no laptop with me until Monday": away, and nothing else said. */
export const isAwayNote = (own: string) => {
  const head = fold(own.slice(0, AWAY_TEXT_HEAD))
  return Rules.AWAY_BODIES.some((pattern) => pattern.test(head))
}
