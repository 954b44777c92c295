-- A submitted (or later) version of an action plan is a record of what was presented and
-- consolidated: it must never change. The application has no code that updates a version;
-- this trigger makes the database refuse it too, whatever client tries.
CREATE OR REPLACE FUNCTION action_plan_version_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'ActionPlanVersion rows are immutable (version % of plan %)', OLD."number", OLD."planId"
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "ActionPlanVersion_immutable"
  BEFORE UPDATE ON "ActionPlanVersion"
  FOR EACH ROW EXECUTE FUNCTION action_plan_version_immutable();
