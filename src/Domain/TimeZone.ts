/** Time zone names as calendars write them, checked against what this runtime (Intl) knows. */

const known = new Map<string, boolean>()

/** Whether `zone` is a time zone this runtime knows (an IANA name, or UTC). Remembered: feeds repeat a few zones. */
export const isTimeZone = (zone: string): boolean => {
  if (zone.trim() === "") return false
  let valid = known.get(zone)
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat("en-GB", { timeZone: zone })
      valid = true
    } catch {
      valid = false
    }
    if (known.size < 1000) known.set(zone, valid)
  }
  return valid
}

/** The organiser's clock from an event's zone name: one this runtime knows that is not UTC, else none. */
export const organiserZone = (zone: string | undefined): string | undefined =>
  zone === undefined || /^(?:etc\/)?(?:utc|gmt|zulu|z)$/i.test(zone) || !isTimeZone(zone) ? undefined : zone
