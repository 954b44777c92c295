-- A submitted (or later) version of an action plan is a record of what was presented and
-- consolidated: it must never change. The application has no code that updates a version;
-- this rule makes the database refuse it too, whatever client tries.
-- Why a rule and not a plpgsql trigger: the migration runner splits scripts on every semicolon,
-- even inside a function body, and a rule needs none. The failing cast carries the message.
CREATE RULE "ActionPlanVersion_immutable" AS ON UPDATE TO "ActionPlanVersion"
  DO INSTEAD SELECT ('ActionPlanVersion rows are immutable (version ' || old."number" || ' of plan ' || old."planId" || ')')::int;
