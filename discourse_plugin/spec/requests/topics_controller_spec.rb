# frozen_string_literal: true

RSpec.describe Codev::TopicsController do
  fab!(:admin)
  fab!(:user)
  fab!(:topic)

  let(:examples) { File.expand_path("../../contract/examples", __dir__) }
  let(:need) { File.read(File.join(examples, "topic_state__need_matched.json")) }
  let(:schema) { JSONSchemer.schema(Pathname.new(Codev::Contract::SCHEMA_PATH)) }

  before { enable_current_plugin }

  def push(body)
    put "/codev/topics/#{topic.id}.json", params: body, headers: { "CONTENT_TYPE" => "application/json" }
  end

  it "refuses non-staff" do
    sign_in(user)
    push(need)
    expect(response.status).to eq(403)
  end

  it "stores a need once per version and serialises it" do
    sign_in(admin)
    push(need)
    expect(response.parsed_body["changed"]).to eq(true)
    push(need)
    expect(response.parsed_body["changed"]).to eq(false)

    get "/t/#{topic.id}.json"
    field = response.parsed_body["codev_need"]
    expect(field["status"]).to eq("matched")
    expect(field["candidates"].size).to eq(3)
  end

  it "answers 422 with the schema's errors" do
    sign_in(admin)
    push(JSON.parse(need).merge("status" => "suggested").to_json)
    expect(response.status).to eq(422)
    expect(response.parsed_body["errors"].join).to include("/status")
  end

  it "shows members only the status" do
    sign_in(admin)
    push(need)
    sign_in(user)
    get "/t/#{topic.id}.json"
    field = response.parsed_body["codev_need"]
    expect(field.keys).to contain_exactly("status", "can_offer", "offered")
  end
end
