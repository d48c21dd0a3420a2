/**
 * Bulk data for the benchmark, generated inside PostgreSQL with generate_series as the owner
 * role: seeding speed is not what is measured, so the rows skip the API and the per-row
 * triggers (audit, timeline, NOTIFY), whose work the timeline rows below stand in for.
 */
import type pg from 'pg';

export const FIRST_NAMES = [
  'James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'William', 'Elizabeth',
  'David', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
  'Christopher', 'Nancy', 'Daniel', 'Lisa', 'Matthew', 'Betty', 'Anthony', 'Margaret', 'Mark', 'Sandra',
  'Donald', 'Ashley', 'Steven', 'Kimberly', 'Paul', 'Emily', 'Andrew', 'Donna', 'Joshua', 'Michelle',
  'Kenneth', 'Dorothy', 'Kevin', 'Carol', 'Brian', 'Amanda', 'George', 'Melissa', 'Timothy', 'Deborah',
  'Maria', 'Jose', 'Wei', 'Priya', 'Mohammed', 'Fatima', 'Hiroshi', 'Yuki', 'Olga', 'Lars',
  'Sofia', 'Mateo', 'Chloe', 'Lucas', 'Amara', 'Noah', 'Aisha', 'Ethan', 'Ingrid', 'Rafael',
];

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  'Chen', 'Patel', 'Kim', 'Singh', 'Kowalski', 'Novak', 'Schmidt', 'Rossi', 'Dubois', 'Tanaka',
  'Okafor', 'Larsen', 'Silva', 'Ivanova', 'Haddad', 'Murphy', 'OBrien', 'Fischer', 'Yamamoto', 'Costa',
];

const COMPANY_FIRST = [
  'Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Hooli', 'Vandelay', 'Soylent', 'Cyberdyne',
  'Tyrell', 'Wonka', 'Gringotts', 'Oscorp', 'Pied', 'Aperture', 'Massive', 'Northwind', 'Contoso', 'Fabrikam',
  'Blue', 'Red', 'Green', 'Silver', 'Golden', 'Summit', 'Pinnacle', 'Apex', 'Vertex', 'Horizon',
  'Evergreen', 'Riverside', 'Lakeside', 'Harbor', 'Granite', 'Cedar', 'Maple', 'Oak', 'Pine', 'Willow',
  'Quantum', 'Nimbus', 'Stellar', 'Orbit', 'Nova', 'Atlas', 'Titan', 'Beacon', 'Lumen', 'Vector',
];

const COMPANY_SECOND = [
  'Analytics', 'Systems', 'Logistics', 'Health', 'Dynamics', 'Labs', 'Software', 'Foods', 'Energy', 'Capital',
  'Robotics', 'Media', 'Partners', 'Solutions', 'Networks', 'Motors', 'Realty', 'Retail', 'Pharma', 'Security',
];

const INDUSTRIES = [
  'SaaS', 'Healthcare', 'Real Estate', 'Manufacturing', 'Retail', 'Finance', 'Education', 'Logistics',
  'Hospitality', 'Construction', 'Legal', 'Insurance', 'Energy', 'Media', 'Automotive',
];

const CITIES = [
  'New York', 'San Francisco', 'Austin', 'Chicago', 'Seattle', 'Boston', 'Denver', 'Atlanta', 'Miami',
  'Los Angeles', 'Toronto', 'London', 'Berlin', 'Madrid', 'Paris', 'Dublin', 'Sydney', 'Singapore',
];

const SOURCES = [
  'website', 'referral', 'linkedin', 'cold_call', 'trade_show', 'google_ads', 'ai_voice', 'ai_chat',
  'email_campaign', 'partner', 'webinar', 'inbound_sms',
];

const NEEDS = [
  'Wants to automate inbound call handling',
  'Looking to replace their spreadsheet pipeline',
  'Needs a CRM that integrates with Twilio',
  'Evaluating AI voice agents for after-hours calls',
  'Scaling the sales team from 5 to 20 reps',
  'Wants better lead scoring and routing',
  'Migrating off a legacy CRM before renewal',
  'Needs SMS follow-ups for missed calls',
];

const NOTES = [
  'Called back, asked for pricing sheet',
  'Interested in the annual plan, decision next quarter',
  'Gatekeeper; try the CFO directly',
  'Requested a demo for the operations team',
  'Budget approved, waiting on legal review',
  'Prefers email over phone',
  'Met at the trade show booth',
  'Competitor contract ends in March',
];

export interface SeedOwners {
  /** Agents (and the manager) that own most leads. */
  owners: string[];
  /** The AI user whose leads form the shared pool. */
  aiUserId: string;
}

const literalArray = (values: string[]) => `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',')}]::text[]`;
const pick = (values: string[]) => `(${literalArray(values)})[1 + floor(random() * ${values.length})::int]`;

/**
 * `count` leads: 95 % spread evenly across `owners`, 2.5 % owned by the AI user, 2.5 %
 * unassigned (together the shared pool); created over the last 365 days; buckets 20/30/50 %
 * P1/P2/P3 with matching scores; stages weighted towards the start of the pipeline; 2 % in the trash.
 */
export async function seedLeads(client: pg.Client, count: number, owners: SeedOwners): Promise<void> {
  await client.query('SELECT setseed(0.4242)');
  // Owner session only: no audit, timeline or NOTIFY per row (see the file comment).
  await client.query('SET session_replication_role = replica');
  try {
    await client.query(
      `
      WITH base AS (
        SELECT g,
               ${pick(FIRST_NAMES)} AS first_name,
               ${pick(LAST_NAMES)} AS last_name,
               ${pick(COMPANY_FIRST)} AS company1,
               ${pick(COMPANY_SECOND)} AS company2,
               random() AS r_owner, random() AS r_bucket, random() AS r_stage, random() AS r_deleted,
               random() AS r_misc,
               now() - random() * interval '365 days' AS created
          FROM generate_series(1, $1::int) AS g
      ), shaped AS (
        SELECT b.*,
               CASE WHEN r_owner < 0.025 THEN $3::uuid
                    WHEN r_owner < 0.05 THEN NULL
                    ELSE ($2::uuid[])[1 + floor((r_owner - 0.05) / 0.95 * cardinality($2::uuid[]))::int] END AS owner,
               CASE WHEN r_bucket < 0.2 THEN 'P1' WHEN r_bucket < 0.5 THEN 'P2' ELSE 'P3' END AS bucket,
               CASE WHEN r_stage < 0.30 THEN 1 WHEN r_stage < 0.50 THEN 2 WHEN r_stage < 0.65 THEN 3
                    WHEN r_stage < 0.75 THEN 4 WHEN r_stage < 0.83 THEN 5 WHEN r_stage < 0.88 THEN 6
                    WHEN r_stage < 0.95 THEN 7 ELSE 8 END AS stage_position,
               created + random() * (now() - created) AS touched
          FROM base b
      )
      INSERT INTO leads (
        agent_id, created_by, status_bucket, qualification_status, lead_score, contact_person, company_name,
        email, phone, deal_value, industry, city, pipeline_stage_id, stage_changed_at, win_probability,
        lead_source, utm_source, utm_medium, need, notes, budget_amount, budget_currency, authority, timeline,
        tags, first_touch_date, last_touch_date, created_at, updated_at, deleted_at
      )
      SELECT s.owner, s.owner, s.bucket,
             (ARRAY['unqualified','marketing_qualified','sales_qualified','opportunity','converted','disqualified'])
               [1 + floor(random() * 6)::int],
             CASE s.bucket WHEN 'P1' THEN 70 + floor(random() * 31)::int
                           WHEN 'P2' THEN 40 + floor(random() * 30)::int
                           ELSE floor(random() * 40)::int END,
             s.first_name || ' ' || s.last_name,
             s.company1 || ' ' || s.company2,
             lower(s.first_name || '.' || s.last_name || (g % 97)::text || '@' || s.company1 || s.company2 || '.com'),
             '+1' || (201 + floor(random() * 798))::int::text || lpad(floor(random() * 10000000)::int::text, 7, '0'),
             CASE WHEN s.r_misc < 0.7 THEN round((500 + random() * 99500)::numeric, 2) END,
             ${pick(INDUSTRIES)},
             ${pick(CITIES)},
             st.id, s.created + (s.touched - s.created) * random(), st.win_probability,
             ${pick(SOURCES)},
             CASE WHEN s.r_misc < 0.4 THEN 'google' WHEN s.r_misc < 0.6 THEN 'linkedin' END,
             CASE WHEN s.r_misc < 0.4 THEN 'cpc' WHEN s.r_misc < 0.6 THEN 'social' END,
             CASE WHEN s.r_misc < 0.5 THEN ${pick(NEEDS)} END,
             CASE WHEN s.r_misc > 0.7 THEN ${pick(NOTES)} END,
             CASE WHEN s.r_misc < 0.3 THEN round((1000 + random() * 49000)::numeric, 2) END,
             CASE WHEN s.r_misc < 0.3 THEN 'USD' END,
             (ARRAY['decision_maker','influencer','no_authority','unknown'])[1 + floor(random() * 4)::int],
             (ARRAY['immediate','this_week','this_month','this_quarter','future','unknown'])[1 + floor(random() * 6)::int],
             CASE WHEN s.r_misc < 0.2 THEN ARRAY['vip'] WHEN s.r_misc < 0.35 THEN ARRAY['follow-up','webinar'] ELSE '{}' END,
             s.created, s.touched, s.created, s.touched,
             CASE WHEN s.r_deleted < 0.02 THEN s.touched END
        FROM shaped s
        JOIN pipeline_stages st ON st.order_position = s.stage_position`,
      [count, owners.owners, owners.aiUserId],
    );
  } finally {
    await client.query('RESET session_replication_role');
  }
}

/**
 * Timeline rows: `perLead` on average (uniform 0..2*perLead) per lead, after the lead was
 * created, by the lead's owner. Returns the number of rows.
 */
export async function seedActivities(client: pg.Client, perLead: number): Promise<number> {
  if (perLead <= 0) return 0;
  await client.query('SET session_replication_role = replica');
  try {
    const { rowCount } = await client.query(
      `
      INSERT INTO activities (activity_type, subject, description, lead_id, created_by, metadata, created_at, updated_at)
      SELECT t.kind, initcap(replace(t.kind, '_', ' ')),
             CASE WHEN t.kind IN ('call', 'email', 'note') THEN 'Logged by the benchmark seed' END,
             l.id, l.agent_id, jsonb_build_object('entity', 'lead', 'entity_id', l.id), t.at, t.at
        FROM leads l
        CROSS JOIN LATERAL (
          SELECT (ARRAY['lead_created','call','email','note','stage_changed','lead_updated','meeting_created','sms'])
                   [1 + floor(random() * 8)::int] AS kind,
                 l.created_at + random() * (now() - l.created_at) AS at
            -- The reference to l makes the function scan re-evaluate per lead; without it
            -- PostgreSQL computes the count once and rewinds the same rows for every lead.
            FROM generate_series(1, floor(random() * ($1::int * 2 + 1))::int + (l.id IS NULL)::int)
        ) t`,
      [perLead],
    );
    return rowCount ?? 0;
  } finally {
    await client.query('RESET session_replication_role');
  }
}
