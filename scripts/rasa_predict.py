"""Parse texts with a trained Rasa model, in-process (runs in Rasa's Python 3.10 venv).

Reads one JSON string per line on stdin and writes one parse result (Rasa's /model/parse
shape) per line on stdout. Used by ``nlu.rasa_env.predict`` for evaluation and cross-validation,
where starting an HTTP server per fold would only add time.
"""

import asyncio
import json
import logging
import sys


async def _main(model_path: str) -> None:
    from rasa.core.agent import Agent

    agent = Agent.load(model_path)
    for line in sys.stdin:
        if line.strip():
            result = await agent.parse_message(json.loads(line))
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    logging.disable(logging.WARNING)
    asyncio.run(_main(sys.argv[1]))
