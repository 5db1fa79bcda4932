/**
 * @module
 * Shared text of the section-vector tests (issue 12 item 2): a long page whose sections are on unrelated subjects.
 */

/** A handbook of unrelated subjects, one section on car oil and tyres. */
export const HANDBOOK = [
  "The office handbook: everything in one place.",
  "## Holidays\nStaff take twenty five days of annual leave; ask your manager before booking a week away.",
  "## Expenses\nSubmit receipts within a month; the finance team refunds approved costs with the next salary.",
  "## Coffee\nThe espresso machine needs fresh beans; grind them fine and clean the milk frother daily.",
  "## Fleet\nChange the car oil every spring and check the tyres before a long drive; rotate the wheels.",
  "## Fire safety\nThe alarm is tested on Mondays; leave by the nearest stairs and gather at the assembly point.",
  "## Plants\nWater the ferns twice a week and keep the orchids out of direct sunlight.",
  "## Music\nThe choir rehearses on Thursdays; bring your sheet music and practise the harmonies.",
  "## Security\nPeople sign in with their badge at the front desk; visitors wear a guest pass.",
  "## Library\nBorrow novels and poetry from the shelf by the window; return them within three weeks.",
  "## Birthdays\nWe share a cake on the last Friday of the month and sing for everyone born that month.",
].join("\n\n") + "\n";
