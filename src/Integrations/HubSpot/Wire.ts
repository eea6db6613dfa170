/**
 * What HubSpot's API answers, as Schemas (CRM objects v3, associations v4, Files v3, owners,
 * account info, errors). Only the fields we read; HubSpot sends more, which decoding ignores.
 */
import { Schema } from "effect"

const nullableString = Schema.optionalWith(Schema.String, { nullable: true })

/** A CRM record: companies, notes, contacts. Every property value is a string (or null). */
export class CrmObject extends Schema.Class<CrmObject>("HubSpot/CrmObject")({
  id: Schema.String,
  properties: Schema.Record({ key: Schema.String, value: Schema.NullOr(Schema.String) }),
  createdAt: Schema.optional(Schema.String),
  archived: Schema.optional(Schema.Boolean)
}) {
  prop(name: string): string | undefined {
    const value = this.properties[name]
    return value === null || value === undefined || value.trim() === "" ? undefined : value
  }
}

export const Paging = Schema.Struct({
  next: Schema.optional(Schema.Struct({ after: Schema.String }))
})

export const SearchPage = Schema.Struct({
  total: Schema.Number,
  results: Schema.Array(CrmObject),
  paging: Schema.optional(Paging)
})

export const BatchRead = Schema.Struct({
  status: Schema.String,
  results: Schema.Array(CrmObject)
})

export const AssociationsPage = Schema.Struct({
  results: Schema.Array(Schema.Struct({
    toObjectId: Schema.Union(Schema.Number, Schema.String),
    associationTypes: Schema.optional(Schema.Array(Schema.Struct({
      category: Schema.String,
      typeId: Schema.Number
    })))
  })),
  paging: Schema.optional(Paging)
})

export const HubSpotFile = Schema.Struct({
  id: Schema.String,
  name: nullableString,
  extension: nullableString,
  path: nullableString,
  url: nullableString,
  archived: Schema.optional(Schema.Boolean)
})
export type HubSpotFile = typeof HubSpotFile.Type

export const FileStat = Schema.Struct({
  file: Schema.optional(Schema.NullOr(HubSpotFile))
})

export const Owner = Schema.Struct({
  id: Schema.String,
  email: nullableString,
  firstName: nullableString,
  lastName: nullableString
})

export const AccountDetails = Schema.Struct({
  portalId: Schema.Number,
  uiDomain: nullableString,
  dataHostingLocation: nullableString,
  accountType: nullableString
})

/** `{"status":"error","message":…,"correlationId":…,"category":…}`; MISSING_SCOPES names the scopes. */
export const ErrorBody = Schema.Struct({
  message: Schema.optional(Schema.String),
  category: Schema.optional(Schema.String),
  correlationId: Schema.optional(Schema.String),
  errors: Schema.optional(Schema.Array(Schema.Struct({
    message: Schema.optional(Schema.String),
    context: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Array(Schema.String) }))
  })))
})
export type ErrorBody = typeof ErrorBody.Type

/** The scopes a MISSING_SCOPES answer asks for. */
export const missingScopes = (body: ErrorBody): ReadonlyArray<string> => [
  ...new Set((body.errors ?? []).flatMap((e) => [
    ...(e.context?.["requiredGranularScopes"] ?? []),
    ...(e.context?.["requiredScopes"] ?? [])
  ]))
]

/** Association type ids HubSpot defines (`associationCategory: "HUBSPOT_DEFINED"`). */
export const ASSOCIATION = {
  noteToCompany: 190,
  noteToContact: 202
} as const
