/** The package ships no types; this is the part of its API we use (lib/emailreplyparser.js). */
declare module "email-reply-parser" {
  interface Fragment {
    getContent(): string
    isHidden(): boolean
    isSignature(): boolean
    isQuoted(): boolean
  }
  interface Email {
    getFragments(): ReadonlyArray<Fragment>
    getVisibleText(): string
    getQuotedText(): string
  }
  class EmailReplyParser {
    read(text: string): Email
    parseReply(text: string): string
  }
  export = EmailReplyParser
}
