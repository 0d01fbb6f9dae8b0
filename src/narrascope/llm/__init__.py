"""What the LLM backends share: an OpenAI-compatible chat client with a persistent cache, structured output
with fallbacks, prompts as data files, and quote location in the raw text.

Capabilities import this package (it sits below them); it imports only the core.
"""

from narrascope.llm.client import LLMClient, LLMRequest, LLMSettings, LLMStats

__all__ = ["LLMClient", "LLMRequest", "LLMSettings", "LLMStats"]
