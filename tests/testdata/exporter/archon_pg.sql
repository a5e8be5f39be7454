-- Seed 004's lineage tables, with two orphaned edges (targets n9 and source n8 do not exist).
CREATE TABLE lineage_nodes (node_id text PRIMARY KEY, kind text NOT NULL);
CREATE TABLE lineage_edges (
  edge_id serial PRIMARY KEY,
  source_node_id text NOT NULL,
  target_node_id text NOT NULL
);
CREATE TABLE lineage_events (event_id serial PRIMARY KEY, node_id text, payload text);
INSERT INTO lineage_nodes VALUES ('n1', 'pattern'), ('n2', 'pattern'), ('n3', 'execution');
INSERT INTO lineage_edges (source_node_id, target_node_id) VALUES
  ('n1', 'n2'), ('n2', 'n3'), ('n3', 'n9'), ('n8', 'n1');
INSERT INTO lineage_events (node_id, payload) VALUES ('n1', 'created');
