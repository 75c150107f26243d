-- One shape of evidence for every suggestion (steward.Evidence): the two
-- shapes written before it are rewritten in place. Evidence that has a
-- producer is in the new shape already and stays; so does any other shape
-- (none was written), and no evidence at all. CASE keeps json_type from
-- text that is not JSON, which the store never wrote either.

-- The nightly duplicate job's {"pairs": [...]}: the same object with its
-- producer.
UPDATE suggestions
SET evidence = json_set(evidence, '$.producer', 'dedupe')
WHERE CASE WHEN json_valid(evidence) THEN
	json_type(evidence) = 'object'
	AND json_type(evidence, '$.producer') IS NULL
	AND json_type(evidence, '$.pairs') IS NOT NULL
END;

-- The import gate's {"file", "row", "weight", "fields"}: one pair, the
-- suggestion's two members with its probability, the weight and the
-- fields; the file becomes the origin. json_patch drops the origin and the
-- row where there were none (null), as omitempty would.
UPDATE suggestions
SET evidence = json_patch('{}', json_object(
	'producer', 'import',
	'origin', evidence -> '$.file',
	'row', evidence -> '$.row',
	'pairs', json_array(json_object(
		'a', customer_ids -> '$[0]',
		'b', customer_ids -> '$[1]',
		'probability', probability,
		'weight', coalesce(evidence -> '$.weight', 0),
		'fields', coalesce(evidence -> '$.fields', json_array())))))
WHERE CASE WHEN json_valid(evidence) THEN
	json_type(evidence) = 'object'
	AND json_type(evidence, '$.producer') IS NULL
	AND json_type(evidence, '$.pairs') IS NULL
	AND (json_type(evidence, '$.fields') IS NOT NULL OR json_type(evidence, '$.row') IS NOT NULL)
END;
