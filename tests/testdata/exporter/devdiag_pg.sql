-- Seed 002's DevDiag schema with data that passes seven of its ten checks and fails three:
-- retention (oldest run 200 days old), fix confidence (0.65) and indexes (8 of 9).
CREATE SCHEMA devdiag;
CREATE TABLE devdiag.diag_run (
  id serial PRIMARY KEY,
  ts timestamptz NOT NULL,
  problem_code text NOT NULL,
  environment text NOT NULL
);
CREATE TABLE devdiag.fix_suggestion (
  id serial PRIMARY KEY,
  problem_code text NOT NULL,
  confidence numeric(4, 3) NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE TABLE devdiag.problem_resolution (
  id serial PRIMARY KEY,
  problem_code text NOT NULL,
  opened_at timestamptz NOT NULL,
  resolved_at timestamptz
);
CREATE INDEX idx_diag_run_ts ON devdiag.diag_run (ts);
CREATE INDEX idx_diag_run_problem ON devdiag.diag_run (problem_code);
CREATE INDEX idx_diag_run_env ON devdiag.diag_run (environment);
CREATE INDEX idx_diag_run_env_ts ON devdiag.diag_run (environment, ts);
CREATE INDEX idx_fix_suggestion_problem ON devdiag.fix_suggestion (problem_code);
CREATE INDEX idx_fix_suggestion_created ON devdiag.fix_suggestion (created_at);
CREATE INDEX idx_problem_resolution_problem ON devdiag.problem_resolution (problem_code);
CREATE INDEX idx_problem_resolution_opened ON devdiag.problem_resolution (opened_at);
-- idx_problem_resolution_resolved is missing on purpose.
CREATE VIEW devdiag.v_problem_trends AS
  SELECT date_trunc('day', ts) AS day, problem_code, count(*) AS runs
  FROM devdiag.diag_run GROUP BY 1, 2;
CREATE VIEW devdiag.v_fix_success_rate AS
  SELECT problem_code, avg(confidence) AS confidence FROM devdiag.fix_suggestion GROUP BY 1;
CREATE VIEW devdiag.v_time_to_resolution AS
  SELECT problem_code, avg(resolved_at - opened_at) AS duration
  FROM devdiag.problem_resolution WHERE resolved_at IS NOT NULL GROUP BY 1;
CREATE VIEW devdiag.v_environment_diversity AS
  SELECT date_trunc('day', ts) AS day, count(DISTINCT environment) AS environments
  FROM devdiag.diag_run GROUP BY 1;
CREATE VIEW devdiag.v_recent_activity AS
  SELECT * FROM devdiag.diag_run WHERE ts >= now() - interval '24 hours';
CREATE VIEW devdiag.v_problem_summary AS
  SELECT problem_code, count(*) AS runs, max(ts) AS last_seen FROM devdiag.diag_run GROUP BY 1;

-- Today: 3 runs, 3 problems (P3 has no fix). now() is the transaction start, always today.
INSERT INTO devdiag.diag_run (ts, problem_code, environment) VALUES
  (now(), 'P1', 'ci'), (now(), 'P2', 'local'), (now(), 'P3', 'ci');
-- Yesterday: 2 runs (noon, so the day boundary never matters).
INSERT INTO devdiag.diag_run (ts, problem_code, environment) VALUES
  (date_trunc('day', now()) - interval '12 hours', 'P1', 'ci'),
  (date_trunc('day', now()) - interval '12 hours', 'P4', 'ci');
-- Days 2 to 5 ago: 3 runs each of P5, so 14 runs over the 7 days before today: 2 a day.
INSERT INTO devdiag.diag_run (ts, problem_code, environment)
  SELECT date_trunc('day', now()) - make_interval(days => d) + interval '12 hours', 'P5', 'ci'
  FROM generate_series(2, 5) AS d, generate_series(1, 3) AS n;
-- The oldest run: 200 days ago, beyond the 170-190 day retention window.
INSERT INTO devdiag.diag_run (ts, problem_code, environment) VALUES
  (now() - interval '200 days', 'P0', 'ci');
-- Fixes: P1 and P2 in the last 30 days (mean confidence 0.65), one old fix that no longer counts.
INSERT INTO devdiag.fix_suggestion (problem_code, confidence, created_at) VALUES
  ('P1', 0.600, now()), ('P2', 0.700, now()), ('P0', 1.000, now() - interval '40 days');
INSERT INTO devdiag.problem_resolution (problem_code, opened_at, resolved_at) VALUES
  ('P1', now() - interval '2 hours', now() - interval '1 hour');
