/**
 * What kind of business is simulated: sizes, rates and habits. The simulated company sells
 * coffee, tea and kitchen supplies to cafés and shops on invoice (wholesale, net terms) and to
 * consumers online (paid by card on the invoice's day). Numbers were chosen to look like a small
 * business of that kind, then checked against the seeding plan of the spec (section 6); see
 * docs/decisions.md, "Simulator".
 */

export interface BusinessProfile {
  /** Size relative to the demo company (fixed costs such as rent grow with it). */
  scale: number;
  /** Customers active on day 0. */
  initialCustomers: number;
  /** Share of customers that are wholesale accounts (invoiced on terms). */
  wholesaleShare: number;
  /** Share of wholesale accounts that are key accounts (statement terms: due the 15th of the next month). */
  keyAccountShare: number;
  /** Mean orders per customer per week, before weekly seasonality. */
  wholesaleOrdersPerWeek: number;
  retailOrdersPerWeek: number;
  /** New customers per day on day 0, and its monthly growth (0.04 = +4 % a month). */
  newCustomersPerDay: number;
  acquisitionGrowthPerMonth: number;
  /** Monthly churn probability of a customer with no bad experience. */
  baseChurnPerMonth: number;
  /** Catalogue and vendor counts (vendors = suppliers + carriers + service vendors). */
  products: number;
  suppliers: number;
  serviceVendors: number;
  /** Order-intent multipliers Sunday … Saturday (normalised to mean 1). */
  wholesaleWeekly: readonly number[];
  retailWeekly: readonly number[];
  /** Standard deviation of the day-to-day log-demand factor (weather, news, promotions). */
  demandNoise: number;
  /** Delivery promised this many shipping days after the order. */
  promiseShippingDays: number;
  /** Warehouse capacity / recent demand, re-planned every Monday. */
  fulfillmentHeadroom: number;
  /** Support capacity / recent ticket load, re-planned every four weeks. */
  supportHeadroom: number;
  /** Tickets an agent closes in a full day. */
  ticketsPerAgentDay: number;
  /** Tickets per active customer per month that have nothing to do with orders (billing, questions). */
  baselineTicketsPerCustomerMonth: number;
  /** Share of delivered orders reviewed when nothing went wrong. */
  reviewProbability: number;
  /** Defect probability of an order line when nothing is wrong with the product. */
  baseDefectRate: number;
}

const NORMAL_WHOLESALE_WEEK = [0.2, 1.3, 1.25, 1.2, 1.15, 1.1, 0.45];
const NORMAL_RETAIL_WEEK = [1.1, 1.0, 0.95, 0.95, 0.95, 0.97, 1.08];

/** The demo company (spec section 6): about 500 customers and 2,000 invoices in six months. */
export const DEMO_PROFILE: BusinessProfile = {
  scale: 1,
  initialCustomers: 390,
  wholesaleShare: 0.36,
  keyAccountShare: 0.1,
  wholesaleOrdersPerWeek: 0.3,
  retailOrdersPerWeek: 0.075,
  newCustomersPerDay: 0.62,
  acquisitionGrowthPerMonth: 0.03,
  baseChurnPerMonth: 0.032,
  products: 40,
  suppliers: 12,
  serviceVendors: 35,
  wholesaleWeekly: NORMAL_WHOLESALE_WEEK,
  retailWeekly: NORMAL_RETAIL_WEEK,
  demandNoise: 0.1,
  promiseShippingDays: 4,
  fulfillmentHeadroom: 1.3,
  supportHeadroom: 1.45,
  ticketsPerAgentDay: 9,
  baselineTicketsPerCustomerMonth: 0.09,
  reviewProbability: 0.22,
  baseDefectRate: 0.02,
};

/**
 * The business of the scenario suites and golden tests: the same company about three and a half
 * times larger (≈ 40 orders a day), the size at which a small business's weekly metrics start to
 * carry signal above day-to-day noise.
 */
export const STANDARD_PROFILE: BusinessProfile = scaleProfile(DEMO_PROFILE, 3.5);

/** The same habits with `factor` times the customers (and so the orders, tickets and reviews). */
export function scaleProfile(profile: BusinessProfile, factor: number): BusinessProfile {
  if (!(factor > 0)) throw new Error(`scaleProfile: factor must be > 0, got ${factor}`);
  return {
    ...profile,
    scale: profile.scale * factor,
    initialCustomers: Math.round(profile.initialCustomers * factor),
    newCustomersPerDay: profile.newCustomersPerDay * factor,
  };
}

/** Normalises a weekly pattern to mean 1. */
export function normaliseWeek(week: readonly number[]): number[] {
  if (week.length !== 7) throw new Error(`normaliseWeek: needs 7 values (Sunday … Saturday), got ${week.length}`);
  const mean = week.reduce((s, v) => s + v, 0) / 7;
  if (!(mean > 0)) throw new Error("normaliseWeek: the weekly pattern sums to 0");
  return week.map((v) => v / mean);
}
