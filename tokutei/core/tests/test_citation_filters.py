"""Templates show articles as the profile cites them and operations by their names, never by code."""

from django.template import Context, Template


def test_templates_cite_articles_and_name_actions(activate):
    activate("hyogo-kyosai")
    html = Template("{% load citations %}{{ a|cite }} / {{ c|action_label }}").render(
        Context({"a": "004 §14(7)", "c": "vault.reveal"}))
    assert html == "取扱要綱第14条第7号 / 個人番号の表示"


def test_an_unregistered_code_is_named_as_such_not_shown(activate):
    activate("hyogo-kyosai")
    html = Template("{% load citations %}{{ c|action_label }}").render(Context({"c": "old.thing"}))
    assert html == "登録されていない操作"
