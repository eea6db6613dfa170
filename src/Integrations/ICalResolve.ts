/**
 * node-ical's part (pure): the series that are not plain (zones it resolves, rules ICalRule does
 * not expand, odd blocks) are given to node-ical, which resolves their time zones (in-file
 * VTIMEZONE, IANA, Windows names) and RRULEs.
 */
import nodeIcal, { type CalendarResponse, type DateWithTimeZone, type VEvent } from "node-ical"
import { normalizeBlock, type RawBlock, splitLine } from "./ICalBlocks.js"

/** A series for node-ical: its id and its blocks, master and overrides. */
export interface Source {
  readonly uid: string
  readonly blocks: ReadonlyArray<RawBlock>
}

export type Resolved =
  | { readonly entry: VEvent; readonly rdates: ReadonlyArray<DateWithTimeZone> }
  | { readonly error: string }

/**
 * node-ical reads every series it is given in one pass, so the file's VTIMEZONEs are parsed once
 * per feed, not once per event. Should node-ical throw on some series, the series are halved
 * until the one it throws on is found; the others are still read.
 */
export const resolveAll = (
  series: ReadonlyArray<Source>,
  timezones: ReadonlyArray<string>,
  fileZones: ReadonlySet<string>
): ReadonlyMap<string, Resolved> => {
  const out = new Map<string, Resolved>()
  const sources = series.map(({ blocks, uid }) => ({
    uid,
    source: blocks.map((b) => `BEGIN:VEVENT\r\n${normalizeBlock(b, uid, fileZones)}\r\nEND:VEVENT`).join("\r\n"),
    probes: rdateProbes(blocks, uid, fileZones)
  }))
  type Text = (typeof sources)[number]
  const go = (part: ReadonlyArray<Text>): void => {
    if (part.length === 0) return
    let parsed: CalendarResponse
    try {
      parsed = nodeIcal.sync.parseICS(wrap([...timezones, ...part.flatMap((u) => [u.source, ...u.probes])].join("\r\n")))
    } catch (e) {
      const [only] = part
      if (only !== undefined && part.length === 1) {
        out.set(only.uid, { error: e instanceof Error ? e.message : String(e) })
        return
      }
      const half = Math.ceil(part.length / 2)
      go(part.slice(0, half))
      go(part.slice(half))
      return
    }
    for (const unit of part) {
      const entry = parsed[unit.uid]
      if (!isVEvent(entry)) {
        out.set(unit.uid, { error: "the event could not be read" })
        continue
      }
      const rdates = unit.probes.flatMap((_, i) => {
        const probe = parsed[probeUid(unit.uid, i)]
        return isVEvent(probe) ? [probe.start] : []
      })
      out.set(unit.uid, { entry, rdates })
    }
  }
  go(sources)
  return out
}

const isVEvent = (entry: CalendarResponse[string]): entry is VEvent => entry?.type === "VEVENT"

const wrap = (body: string) => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//lead-insights//parse//EN\r\n${body}\r\nEND:VCALENDAR\r\n`

/**
 * RDATE values are resolved to instants by node-ical itself (so TZIDs mean the same as in
 * DTSTART): each value becomes the DTSTART of a throw-away event read in the same pass.
 */
const probeUid = (uid: string, i: number) => `${uid}#rdate-${i}`

const rdateProbes = (group: ReadonlyArray<RawBlock>, uid: string, fileZones: ReadonlySet<string>): ReadonlyArray<string> => {
  const master = group.find((b) => !b.lines.some((l) => splitLine(l)?.name === "RECURRENCE-ID"))
  if (!master) return []
  const lines = normalizeBlock(master, uid, fileZones).split("\r\n").map(splitLine)
  const values = lines.flatMap((l) =>
    l?.name === "RDATE"
      ? l.value.split(",").map((v) => ({ params: l.params.replace(/;VALUE=PERIOD/i, ""), value: v.split("/")[0] ?? "" }))
      : []
  )
  return values.map((v, i) => `BEGIN:VEVENT\r\nUID:${probeUid(uid, i)}\r\nDTSTART${v.params}:${v.value}\r\nEND:VEVENT`)
}
