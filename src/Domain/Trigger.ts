import { Schema } from "effect"

export const TriggerField = Schema.Literal("summary", "description")
export type TriggerField = typeof TriggerField.Type

/** Why an event needs preparation: a trigger word matched in one of its fields. */
export class Trigger extends Schema.Class<Trigger>("Trigger")({
  type: Schema.Literal("hard", "soft"),
  matched_word: Schema.String,
  matched_field: TriggerField
}) {}
