/**
 * The long-lived program: a poll loop whose every cycle is a run. A run reads the calendar, takes
 * each event through the event workflow (bounded concurrency, one bad event never stops the rest)
 * and writes the run history — also when shutdown cuts the cycle short.
 */
import { Clock, Duration, Effect, Exit, Layer, Option, Ref, Schedule } from "effect"
import { randomUUID } from "node:crypto"
import { type CalendarError, CalendarFeed, type FeedBatch } from "./Agents/CalendarFeed.js"
import { AppConfig } from "./Config.js"
import type { BrokenEvent, ListedEvent, SkippedOccurrences } from "./Domain/CalendarEvent.js"
import { EventError, EventOutcome, RunSummary, runStatusOf, SkippedSeries } from "./Domain/RunSummary.js"
import { errorOf, EventProcessor, type SeriesContext } from "./EventProcessor.js"
import { withGrace } from "./Graceful.js"
import { HitlStore, isSettled } from "./Hitl/HitlStore.js"
import { Replies } from "./Hitl/Replies.js"
import { RunHistory } from "./Storage/RunHistory.js"
import { StepRetries } from "./Storage/StepRetries.js"

const DAY = 24 * 60 * 60 * 1000

const brokenOutcome = (broken: BrokenEvent) =>
  new EventOutcome({
    event_id: broken.eventId,
    summary: broken.summary,
    start: broken.start ?? "",
    status: "failed",
    error: new EventError({ type: "MalformedEvent", message: broken.reason })
  }, true)

const calendarOutcome = (error: CalendarError) =>
  new EventOutcome({
    event_id: error.calendarId,
    summary: "the calendar could not be read",
    start: "",
    status: "failed",
    error: new EventError({ type: "CalendarError", message: error.message })
  }, true)

const interruptedOutcome = (event: ListedEvent) =>
  new EventOutcome({
    event_id: event.eventId,
    summary: event.summary,
    start: event.start,
    status: "interrupted",
    error: new EventError({ type: "Interrupted", message: "shutdown before the event reached a status" })
  }, true)

/** Per recurring series in this window: its key, and when its last occurrence starts. */
const seriesOf = (events: ReadonlyArray<ListedEvent>): ReadonlyMap<string, SeriesContext> => {
  const last = new Map<string, ListedEvent>()
  for (const event of events) {
    if (event.seriesId === undefined) continue
    const seen = last.get(event.seriesId)
    if (seen === undefined || Date.parse(event.start) > Date.parse(seen.start)) last.set(event.seriesId, event)
  }
  return new Map([...last].map(([id, event]) => [id, { key: `${event.calendarId}|${id}`, lastStart: event.start }]))
}

/** Events per ledger read and write. */
const LEDGER_CHUNK = 500

/** A place in `events`, or the places of a series' occurrences in their order. */
type Group = number | ReadonlyArray<number>

const placesOf = (group: Group): ReadonlyArray<number> => (typeof group === "number" ? [group] : group)

/** Groups in chunks of at least `size` events (a series is never split). */
const chunksOf = (groups: ReadonlyArray<Group>, size: number): ReadonlyArray<ReadonlyArray<Group>> => {
  const chunks: Array<Array<Group>> = []
  let current: Array<Group> = []
  let n = 0
  for (const group of groups) {
    current.push(group)
    n += placesOf(group).length
    if (n >= size) {
      chunks.push(current)
      current = []
      n = 0
    }
  }
  if (current.length > 0) chunks.push(current)
  return chunks
}

/** Single events alone, the occurrences of a series together in their order. */
const groupBySeries = (events: ReadonlyArray<ListedEvent>): ReadonlyArray<Group> => {
  const groups = new Map<string, Array<number>>()
  const singles: Array<number> = []
  events.forEach((event, i) => {
    if (event.seriesId === undefined) singles.push(i)
    else {
      const group = groups.get(event.seriesId)
      if (group === undefined) groups.set(event.seriesId, [i])
      else group.push(i)
    }
  })
  return [...singles, ...groups.values()]
}

/** The ids listed, by calendar (sharing the events' strings: a cycle may list 100,000). */
const presentIn = (events: ReadonlyArray<{ readonly calendarId: string; readonly eventId: string }>) => {
  const present = new Map<string, Set<string>>()
  for (const e of events) {
    const ids = present.get(e.calendarId)
    if (ids === undefined) present.set(e.calendarId, new Set([e.eventId]))
    else ids.add(e.eventId)
  }
  return present
}

/**
 * What a cycle keeps of a calendar read: each listed event in its place until it has its outcome
 * (then the outcome takes the place, and the event can go: a cycle of 100,000 events does not hold
 * them all to its end), the order to take them in, and the ids a withdrawal looks for.
 */
const planOf = (batch: FeedBatch, calendarIds: ReadonlyArray<string>) => {
  const places: Array<ListedEvent | EventOutcome> = [...batch.events]
  return {
    places,
    listed: batch.events.length,
    broken: batch.broken.length,
    series: seriesOf(batch.events),
    chunks: [...chunksOf(groupBySeries(batch.events), LEDGER_CHUNK)],
    present: presentIn([...batch.events, ...batch.broken]),
    calendars: batch.calendars?.read ?? calendarIds
  }
}

/**
 * `work` on each item in order, `concurrency` at a time: that many fibers each take the next item
 * when they finish one. (Effect.forEach with a concurrency starts a fiber per item; a cycle's items
 * are mostly events decided in microseconds.)
 */
const withWorkers = <A>(items: ReadonlyArray<A>, concurrency: number, work: (item: A) => Effect.Effect<void>) =>
  Effect.suspend(() => {
    let next = 0
    const worker = Effect.gen(function*() {
      while (next < items.length) yield* work(items[next++]!)
    })
    return Effect.all(Array.from({ length: Math.min(concurrency, items.length) }, () => worker), {
      concurrency: "unbounded",
      discard: true
    })
  })

export class Orchestrator extends Effect.Service<Orchestrator>()("Orchestrator", {
  effect: Effect.gen(function*() {
    const config = yield* AppConfig
    const calendar = yield* CalendarFeed
    const processor = yield* EventProcessor
    const history = yield* RunHistory
    const replies = yield* Replies
    const hitl = yield* HitlStore
    const retries = yield* StepRetries

    const cycle = (runId: string) => Effect.gen(function*() {
      const startedAt = yield* Clock.currentTimeMillis
      const { flush: flushSteps, log } = yield* history.cycleStepLog(runId)
      // The listed events, each replaced by its outcome when it has one (one fiber each, never copied).
      let places: Array<ListedEvent | EventOutcome> = []
      const brokenOnes = yield* Ref.make<ReadonlyArray<EventOutcome>>([])
      const skipped = yield* Ref.make<ReadonlyArray<SkippedOccurrences>>([])
      // What the chunk in progress decided and has not written yet: written also when shutdown cuts it short.
      const unflushed = yield* Ref.make<Effect.Effect<void>>(Effect.void)

      // The scope is the calendar read's: a feed's deferred events are taken within it.
      const work = Effect.scoped(Effect.gen(function*() {
        const window = { from: new Date(startedAt - config.lookbackDays * DAY), to: new Date(startedAt + config.lookaheadDays * DAY) }
        // Replies first: a waiting workflow resumes before its event is looked at again.
        const delivered = yield* replies.processInbox().pipe(
          Effect.catchAll((error) => Effect.logError(error.message).pipe(Effect.as(0)))
        )
        if (delivered > 0) yield* log.step(undefined, "inbox", { replies_delivered: delivered })
        yield* log.step(undefined, "poll", { calendar: calendar.calendarId, from: window.from.toISOString(), to: window.to.toISOString() })
        // The batch itself is not kept (see planOf).
        const plan = yield* calendar.fetch(window).pipe(
          Effect.tap((batch) => {
            // A calendar of several that could not be read is in the run as failed; the others go on.
            const failed = [...batch.broken.map(brokenOutcome), ...(batch.calendars?.failed ?? []).map(calendarOutcome)]
            return Effect.zipRight(Ref.set(brokenOnes, failed), Ref.set(skipped, batch.skipped ?? []))
          }),
          Effect.map((batch) => planOf(batch, [calendar.calendarId]))
        )
        places = plan.places
        const cutSeries = yield* Ref.get(skipped)
        for (const s of cutSeries) {
          yield* Effect.logWarning(
            `series "${s.summary}" (${s.seriesId}): the first ${s.kept} occurrences in the window are handled, ` +
              `${s.atLeast ? "at least " : ""}${s.skipped} more skipped (MAX_OCCURRENCES_PER_SERIES)`
          )
        }
        yield* log.step(undefined, "events_listed", { events: plan.listed, broken: plan.broken })
        // The occurrences of one series one after another, so the first asks and the others follow its request.
        // A chunk of events at a time: its ledger entries in one read, its decisions in one write.
        // A place is taken once, before its outcome replaces the event in it.
        const take = (i: number): ListedEvent => places[i] as ListedEvent
        for (let c = 0; c < plan.chunks.length; c++) {
          const chunk = plan.chunks[c]!
          const view = yield* processor.readLedger(chunk.flatMap((group) => placesOf(group).map(take)))
          yield* Ref.set(unflushed, view.flush)
          yield* withWorkers(chunk, config.maxConcurrentEvents, (group) =>
            Effect.forEach(placesOf(group), (i) => {
              const event = take(i)
              const series = event.seriesId === undefined ? undefined : plan.series.get(event.seriesId)
              return processor.process(event, runId, log, series, view).pipe(
                Effect.tap((outcome) => Effect.sync(() => (places[i] = outcome)))
              )
            }, { discard: true }))
          yield* view.flush
        }
        // The whole calendar was read: what still waits for a meeting that is no longer there is withdrawn.
        // Per calendar: the same meeting can be in two calendars of a feed and gone from one.
        const withdrawn = yield* Effect.reduce(plan.calendars, 0, (n, calendarId) => {
          const listed = plan.present.get(calendarId)
          // An occurrence of a series cut to MAX_OCCURRENCES_PER_SERIES may be there unlisted.
          const cut = cutSeries.filter((s) => s.calendarId === calendarId).map((s) => `${s.seriesId}_`)
          return processor.withdrawGone(
            calendarId,
            window,
            (eventId) => listed?.has(eventId) === true || cut.some((prefix) => eventId.startsWith(prefix))
          ).pipe(
            Effect.map((m) => n + m),
            Effect.catchAll((error) => Effect.logError(`cannot withdraw requests: ${error.message}`).pipe(Effect.as(n)))
          )
        })
        if (withdrawn > 0) yield* log.step(undefined, "withdrawn", { workflows: withdrawn })
      }))

      const finish = (exit: Exit.Exit<void, unknown>) =>
        Effect.gen(function*() {
          const eventOutcomes = [
            ...places.map((place) => (place instanceof EventOutcome ? place : interruptedOutcome(place))),
            ...(yield* Ref.get(brokenOnes))
          ]
          const cycleError: Option.Option<EventError> = Exit.isSuccess(exit)
            ? Option.none()
            : Exit.isInterrupted(exit) && places.length > 0
            ? Option.none()
            : Option.some(
              Exit.isInterrupted(exit)
                ? new EventError({ type: "Interrupted", message: "shutdown before the calendar was read" }, true)
                : errorOf(exit.cause)
            )
          const finishedAt = yield* Clock.currentTimeMillis
          const cut = yield* Ref.get(skipped)
          const summary = new RunSummary({
            run_id: runId,
            started_at: new Date(startedAt).toISOString(),
            finished_at: new Date(finishedAt).toISOString(),
            status: runStatusOf(Option.isSome(cycleError), eventOutcomes),
            ...(Option.isSome(cycleError) ? { error: cycleError.value } : {}),
            events: eventOutcomes,
            ...(cut.length > 0
              ? {
                skipped_occurrences: cut.reduce((n, s) => n + s.skipped, 0),
                skipped_series: cut.map((s) =>
                  new SkippedSeries({
                    series_id: s.seriesId,
                    summary: s.summary,
                    kept: s.kept,
                    skipped: s.skipped,
                    ...(s.atLeast ? { at_least: true } : {})
                  })
                )
              }
              : {})
          })
          yield* Effect.flatten(Ref.get(unflushed))
          yield* flushSteps
          yield* history.writeSummary(summary).pipe(
            Effect.catchAll((error) => Effect.logError("cannot write the run summary", error))
          )
          if (Option.isSome(cycleError)) yield* Effect.logError(`run failed: ${cycleError.value.message}`)
          yield* Effect.log(
            `run manifest run_id=${runId} status=${summary.status} events=${eventOutcomes.length} duration_ms=${
              finishedAt - startedAt
            }`
          )
          return summary
        })

      // The summary is written however the work ends, shutdown included; only the work is interruptible.
      return yield* Effect.uninterruptibleMask((restore) =>
        restore(withGrace(config.shutdownTimeout)(work)).pipe(Effect.exit, Effect.flatMap(finish))
      )
    }).pipe(
      Effect.annotateLogs({ run_id: runId }),
      Effect.withSpan("Orchestrator.runCycle", { attributes: { run_id: runId } })
    )

    /** One poll cycle. Never fails: what went wrong is in the summary it returns and writes. */
    const runCycle = Effect.suspend(() => cycle(`run-${randomUUID()}`))

    /**
     * For `once`: wait until no request has an overdue timer or an untaken reply, so a cron-driven
     * `once` fires due reminders, escalations and expiries and lets their workflows move on.
     */
    const settleDue = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      // Whatever a reply or a due timer set moving — also for meetings no longer in the feed.
      const moving = [
        ...(yield* replies.drainWoken),
        ...(yield* hitl.pending).filter((r) => !isSettled(r, new Date(now))).map((r) => r.execution_id),
        ...(yield* retries.dueBy(new Date(now).toISOString()))
      ]
      const left = yield* processor.settleAll(moving).pipe(Effect.timeoutOption(config.settleTimeout))
      if (Option.isNone(left)) yield* Effect.logWarning("some workflows were still moving when once finished")
    }).pipe(
      Effect.catchAll((error) => Effect.logError(`cannot tell which workflows are moving: ${error.message}`)),
      Effect.withSpan("Orchestrator.settleDue")
    )

    /** Between cycles, replies are read on their own, shorter interval, so an answer is not kept waiting. */
    const readInbox = replies.processInbox().pipe(
      Effect.tap((n) => (n > 0 ? Effect.log(`${n} repl${n === 1 ? "y" : "ies"} delivered to waiting workflows`) : Effect.void)),
      Effect.catchAll((error) => Effect.logError(error.message)),
      Effect.catchAllCause((cause) => Effect.logError("cannot read the inbox", cause)),
      Effect.withSpan("Orchestrator.readInbox")
    )

    /** Between reads of the inbox: until it says new mail may be there (IMAP IDLE), INBOX_POLL_SECONDS at most. */
    const awaitMail = replies.waitForMail(config.inboxInterval)

    return { runCycle, settleDue, readInbox, awaitMail } as const
  })
}) {}

/** `run`: poll now, then every POLL_INTERVAL_SECONDS, until interrupted. */
export const OrchestratorLoop = Layer.scopedDiscard(Effect.gen(function*() {
  const orchestrator = yield* Orchestrator
  const config = yield* AppConfig
  yield* Effect.log(`polling every ${Duration.format(config.pollInterval)}`)
  yield* orchestrator.runCycle.pipe(
    Effect.repeat(Schedule.spaced(config.pollInterval)),
    Effect.forkScoped
  )
  yield* orchestrator.awaitMail.pipe(
    Effect.zipRight(orchestrator.readInbox),
    Effect.forever,
    Effect.forkScoped
  )
}))
