-- One shape of evidence for every suggestion (steward.Evidence): the two
-- shapes written before it are rewritten in place, through jsonb (the
-- column stays json; see 0006). Evidence that has a producer is in the new
-- shape already and stays; so does any other shape (none was written), and
-- no evidence at all.

-- The nightly duplicate job's {"pairs": [...]}: the same object with its
-- producer.
UPDATE suggestions
SET evidence = (evidence::jsonb || '{"producer": "dedupe"}')::json
WHERE json_typeof(evidence) = 'object'
	AND NOT evidence::jsonb ? 'producer'
	AND evidence::jsonb ? 'pairs';

-- The import gate's {"file", "row", "weight", "fields"}: one pair, the
-- suggestion's two members with its probability, the weight and the
-- fields; the file becomes the origin. jsonb_strip_nulls drops the origin
-- and the row where there were none, as omitempty would.
UPDATE suggestions s
SET evidence = (
	jsonb_build_object('producer', 'import')
	|| jsonb_strip_nulls(jsonb_build_object('origin', l.e -> 'file', 'row', l.e -> 'row'))
	|| jsonb_build_object('pairs', jsonb_build_array(jsonb_build_object(
		'a', s.customer_ids[1],
		'b', s.customer_ids[2],
		'probability', s.probability,
		'weight', coalesce(l.e -> 'weight', '0'::jsonb),
		'fields', coalesce(l.e -> 'fields', '[]'::jsonb))))
)::json
FROM (SELECT id, evidence::jsonb AS e FROM suggestions WHERE json_typeof(evidence) = 'object') l
WHERE s.id = l.id
	AND NOT l.e ? 'producer'
	AND NOT l.e ? 'pairs'
	AND (l.e ? 'fields' OR l.e ? 'row');
