-- Seed 004's lineage tables on MariaDB: three nodes, one orphaned edge.
CREATE TABLE lineage_nodes (node_id varchar(32) PRIMARY KEY, kind varchar(32) NOT NULL);
CREATE TABLE lineage_edges (
  edge_id int AUTO_INCREMENT PRIMARY KEY,
  source_node_id varchar(32) NOT NULL,
  target_node_id varchar(32) NOT NULL
);
INSERT INTO lineage_nodes VALUES ('n1', 'pattern'), ('n2', 'pattern'), ('n3', 'execution');
INSERT INTO lineage_edges (source_node_id, target_node_id) VALUES ('n1', 'n2'), ('n3', 'n9');
