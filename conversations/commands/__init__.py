"""Commands: the registry (``registry``), the agent commands (``agent``) and the requester
commands (``requester``). Importing this package declares them all."""

from conversations.commands.agent import AGENT, run_agent_command
from conversations.commands.requester import REQUESTER

__all__ = ["AGENT", "REQUESTER", "run_agent_command"]
