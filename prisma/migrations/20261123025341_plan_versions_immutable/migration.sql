-- A submitted (or later) version of an action plan is a record of what was presented and
-- consolidated: what it says must never change. The application has no code that updates a
-- version, and this rule makes the database refuse it too, whatever client tries.
-- Only the frozen columns are guarded: deleting a feedback round still unlinks answersRoundId
-- (ON DELETE SET NULL runs as an UPDATE) and deleting a plan or cluster still removes its versions.
-- Why a rule and not a plpgsql trigger: the migration runner splits scripts on every semicolon,
-- even inside a function body, and a rule needs none. The failing cast carries the message.
CREATE RULE "ActionPlanVersion_immutable" AS ON UPDATE TO "ActionPlanVersion"
  WHERE (old."planId", old."number", old."stage", old."content", old."createdAt")
    IS DISTINCT FROM (new."planId", new."number", new."stage", new."content", new."createdAt")
  DO INSTEAD SELECT ('ActionPlanVersion rows are immutable (version ' || old."number" || ' of plan ' || old."planId" || ')')::int;
