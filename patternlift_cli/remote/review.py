"""`ports.review.Review` over HTTP: the schedule on the server, the review problem on this machine.

The review problem is written from its starter here when the server says the review is fresh,
judged here like practice, and its report recorded on the server.
"""

from __future__ import annotations

from pathlib import Path

from patternlift_cli.ports.learning import AnswerFeedback, JudgeSummary
from patternlift_cli.ports.review import ReviewDue, ReviewOutcome, ReviewSession
from patternlift_cli.remote.learning import RemoteArea, bounded


class RemoteReview(RemoteArea):
    prefix = "/v1/review"

    def due(self) -> list[ReviewDue]:
        return self.get_list("/due", ReviewDue)

    def start(self, pattern_id: str) -> ReviewSession:
        from patternlift_cli.content.loader import get_problem
        from patternlift_cli.practice.workspace import review_file, starter_code

        session = self.write("POST", f"/{pattern_id}/start", ReviewSession)
        problem = get_problem(session.problem_id)
        path = Path(review_file(problem))
        if session.fresh or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(starter_code(problem), encoding="utf-8")  # solved again, from scratch
        return session.model_copy(update={"workspace_file": str(path)})

    def answer(self, pattern_id: str, question_id: str, response: str) -> AnswerFeedback:
        body = {"question_id": question_id, "response": response}
        return self.write("POST", f"/{pattern_id}/answers", AnswerFeedback, body, keep_as="your answer")

    def run(self, pattern_id: str) -> JudgeSummary:
        from patternlift_cli.content.loader import get_pattern
        from patternlift_cli.practice.judge import judge_file
        from patternlift_cli.practice.workspace import review_file

        problem = get_pattern(pattern_id).practice_problem(1)
        report = JudgeSummary.of(judge_file(problem, review_file(problem)))
        body = {"report": report.model_dump(mode="json")}
        return self.write("POST", f"/{pattern_id}/runs", JudgeSummary, body, keep_as="your review run")

    def finish(self, pattern_id: str, seconds: float) -> ReviewOutcome:
        return self.write("POST", f"/{pattern_id}/finish", ReviewOutcome, {"seconds": bounded(seconds)})
