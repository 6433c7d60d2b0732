"""Code that runs inside the judge's child process. Only this folder is mounted in the sandbox;
it imports nothing of PatternLift and only the standard library."""
