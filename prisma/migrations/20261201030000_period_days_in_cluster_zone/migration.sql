-- Periods (every timeline item but the exchange events) are calendar days of the cluster: they start at
-- the midnight that begins their first day and end at the midnight after their last day, both in the
-- time zone of the cluster (src/domain/calendar.ts). Earlier edits stored the midnight of the editor
-- instead: each bound moves to the nearest midnight in the zone of the cluster, the day that was meant.
UPDATE "TimelineItem" AS t
SET "startsAt" = (date_trunc('day', ((t."startsAt" AT TIME ZONE 'UTC') AT TIME ZONE c."timeZone") + interval '12 hours') AT TIME ZONE c."timeZone") AT TIME ZONE 'UTC',
    "endsAt"   = (date_trunc('day', ((t."endsAt"   AT TIME ZONE 'UTC') AT TIME ZONE c."timeZone") + interval '12 hours') AT TIME ZONE c."timeZone") AT TIME ZONE 'UTC'
FROM "Cluster" AS c
WHERE c.id = t."clusterId"
  AND t.kind NOT IN ('EE1', 'EE2', 'EE3');
