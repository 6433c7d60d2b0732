"""The kinds of evidence a learning session records (see domain.progress)."""

ANSWER = "answer"
TEST_RUN = "test_run"
HINT = "hint"
REVEAL = "reveal"
KNOWLEDGE_CHECK_RESULT = "knowledge_check"
MASTERY_RESULT = "mastery_assessment"
EVIDENCE_KINDS = (ANSWER, TEST_RUN, HINT, REVEAL, KNOWLEDGE_CHECK_RESULT, MASTERY_RESULT)
# Kinds that are the learner's own attempts (counted in attempts_count).
ATTEMPT_KINDS = (ANSWER, TEST_RUN)
# Kinds whose score becomes the session's current_score (and may become its best_score).
SCORED_KINDS = (TEST_RUN, KNOWLEDGE_CHECK_RESULT, MASTERY_RESULT)
